import { Body, ConflictException, Controller, Delete, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { HistoryImportAlreadyRunningError, HistoryImports, type HistoryImportView } from '@app/history-import';
import { type Page } from '@app/shared';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { PageQueryDto } from '../platform/page-query.dto';
import { UuidParam } from '../platform/uuid-param';
import {
  HistoryImportPageResponseDto,
  HistoryImportResponseDto,
  StartHistoryImportRequestDto,
} from './dto/history-import.dto';
import { RequireScope } from '../platform/require-scope.decorator';

@ApiTags('history imports')
@Controller('v1/channels/:channelId/history-imports')
export class HistoryImportsController {
  constructor(private readonly imports: HistoryImports) {}

  @Post()
  @RequireScope('write')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: "Import the channel's WhatsApp history",
    description:
      'Starts WAHAHistoryImportWorkflow: chats, then their messages (WhatsApp times kept, duplicates skipped), grouped into sessions by the ' +
      "channel's inactivity gap. Live webhooks of the channel are buffered meanwhile and replayed after it. Follow it with GET .../{importId}.",
  })
  @ApiAcceptedResponse({ type: HistoryImportResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid body (the message names the field)' })
  @ApiNotFoundResponse({ description: 'No such channel' })
  @ApiConflictResponse({ description: 'An import of this channel is running; runningImportId names it' })
  async start(
    @CurrentTenant() tenantId: string,
    @UuidParam('channelId') channelId: string,
    @Body() body: StartHistoryImportRequestDto,
  ): Promise<HistoryImportView> {
    try {
      return await this.imports.start({
        tenantId,
        channelId,
        days: body.days,
        chatLimit: body.chatLimit,
        messagesPerChatLimit: body.messagesPerChatLimit,
      });
    } catch (err) {
      if (err instanceof HistoryImportAlreadyRunningError) {
        throw new ConflictException({
          code: err.code,
          message: err.message,
          field: err.field,
          runningImportId: err.runningImportId,
        });
      }
      throw err;
    }
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: "The channel's history imports, newest first" })
  @ApiOkResponse({ type: HistoryImportPageResponseDto })
  @ApiNotFoundResponse({ description: 'No such channel' })
  list(
    @CurrentTenant() tenantId: string,
    @UuidParam('channelId') channelId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<HistoryImportView>> {
    return this.imports.list(tenantId, channelId, { limit: query.limit, cursor: query.cursor });
  }

  @Get(':importId')
  @RequireScope('read')
  @ApiOperation({ summary: 'One import: live progress while it runs, the stored result afterwards' })
  @ApiOkResponse({ type: HistoryImportResponseDto })
  @ApiNotFoundResponse({ description: 'No such import on this channel' })
  get(
    @CurrentTenant() tenantId: string,
    @UuidParam('channelId') channelId: string,
    @UuidParam('importId') importId: string,
  ): Promise<HistoryImportView> {
    return this.imports.get(tenantId, channelId, importId);
  }

  @Delete(':importId')
  @RequireScope('write')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Cancel a running import',
    description:
      'Running chats stop after the page they are storing; what was imported is consolidated and buffered webhooks are replayed; the import ends cancelled.',
  })
  @ApiAcceptedResponse({ type: HistoryImportResponseDto })
  @ApiNotFoundResponse({ description: 'No such import on this channel' })
  @ApiConflictResponse({ description: 'The import is not running any more' })
  cancel(
    @CurrentTenant() tenantId: string,
    @UuidParam('channelId') channelId: string,
    @UuidParam('importId') importId: string,
  ): Promise<HistoryImportView> {
    return this.imports.cancel(tenantId, channelId, importId);
  }
}
