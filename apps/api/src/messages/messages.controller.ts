import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { GetMessageHandler, ListMessagesHandler, type MessageView } from '@app/message';
import { type Page } from '@app/shared';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { ListMessagesQueryDto } from './dto/list-messages.query.dto';
import { MessagePageResponseDto, MessageResponseDto } from './dto/message.response.dto';
import { UuidParam } from '../platform/uuid-param';
import { RequireScope } from '../platform/require-scope.decorator';

@ApiTags('messages')
@Controller('v1/messages')
export class MessagesController {
  constructor(
    private readonly getMessage: GetMessageHandler,
    private readonly listMessages: ListMessagesHandler,
  ) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'List messages, newest stored first',
    description: 'Keyset-paged: follow nextCursor until it is null. Narrow with sessionId, contactId and/or channelId.',
  })
  @ApiOkResponse({ type: MessagePageResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid limit or cursor, or a filter that is not a UUID (the message names the field)',
  })
  list(@CurrentTenant() tenantId: string, @Query() query: ListMessagesQueryDto): Promise<Page<MessageView>> {
    return this.listMessages.execute({
      tenantId,
      sessionId: query.sessionId,
      contactId: query.contactId,
      channelId: query.channelId,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'Get a message' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such message in the tenant' })
  get(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<MessageView> {
    return this.getMessage.execute({ tenantId, id });
  }
}
