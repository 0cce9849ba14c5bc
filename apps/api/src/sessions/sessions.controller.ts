import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { InboundConversationSteps } from '@app/inbound';
import { GetSessionHandler, ListSessionsHandler, type SessionView } from '@app/session';
import { type Page } from '@app/shared';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { ListSessionsQueryDto } from './dto/list-sessions.query.dto';
import { SessionPageResponseDto, SessionResponseDto } from './dto/session.response.dto';
import { UuidParam } from '../platform/uuid-param';
import { RequireScope } from '../platform/require-scope.decorator';

/** Sessions are opened by inbound traffic and ended by their lifecycle workflow; this API reads them
 *  and closes them by hand. */
@ApiTags('sessions')
@Controller('v1/sessions')
export class SessionsController {
  constructor(
    private readonly getSession: GetSessionHandler,
    private readonly listSessions: ListSessionsHandler,
    private readonly conversations: InboundConversationSteps,
  ) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'List sessions, newest first',
    description:
      'Conversations of the tenant, optionally narrowed to a contact, a channel and a status. Keyset-paged: follow nextCursor until it is null.',
  })
  @ApiOkResponse({ type: SessionPageResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid contactId, channelId, status, limit or cursor (the message names the field)',
  })
  list(@CurrentTenant() tenantId: string, @Query() query: ListSessionsQueryDto): Promise<Page<SessionView>> {
    return this.listSessions.execute({
      tenantId,
      contactId: query.contactId,
      channelId: query.channelId,
      status: query.status,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({
    summary: 'Get a session',
    description: 'Active sessions carry their deadline and warning time; ended ones their end reason and summary.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such session in the tenant' })
  get(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<SessionView> {
    return this.getSession.execute({ tenantId, sessionId: id });
  }

  @Post(':id/close')
  @RequireScope('write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close a session now (reason manual)',
    description:
      'Ends the session through its lifecycle workflow (the closeSession update), which stops its timers, and publishes session.ended with the summary. Closing an ended session changes nothing and returns it.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such session in the tenant' })
  close(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<SessionView> {
    return this.conversations.closeSessionManually(tenantId, id);
  }
}
