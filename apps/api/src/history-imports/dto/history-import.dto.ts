import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  HISTORY_IMPORT_MAX_CHATS,
  HISTORY_IMPORT_MAX_DAYS,
  HISTORY_IMPORT_MAX_MESSAGES_PER_CHAT,
  HISTORY_IMPORT_STATUSES,
  type HistoryImportStatus,
  type HistoryImportView,
} from '@app/history-import';

export class StartHistoryImportRequestDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: HISTORY_IMPORT_MAX_DAYS,
    description:
      'Days back from now. Omitted: since the last completed import of the channel, or the whole history when there is none.',
    example: 30,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(HISTORY_IMPORT_MAX_DAYS)
  days?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: HISTORY_IMPORT_MAX_CHATS,
    description: 'At most this many chats, the most recently active first. Omitted: all.',
    example: 500,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(HISTORY_IMPORT_MAX_CHATS)
  chatLimit?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: HISTORY_IMPORT_MAX_MESSAGES_PER_CHAT,
    description: 'At most this many messages per chat, the newest. Omitted: all.',
    example: 1000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(HISTORY_IMPORT_MAX_MESSAGES_PER_CHAT)
  messagesPerChatLimit?: number;
}

class HistoryImportRequestEchoDto {
  @ApiProperty({ type: Number, nullable: true }) days!: number | null;
  @ApiProperty({ type: Number, nullable: true }) chatLimit!: number | null;
  @ApiProperty({ type: Number, nullable: true }) messagesPerChatLimit!: number | null;
}

class HistoryImportRangeDto {
  @ApiProperty({ type: String, nullable: true, description: 'ISO 8601; null: from the start of each chat' }) start!:
    string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'ISO 8601; the import start, pinned; null until determined',
  })
  end!: string | null;
}

class FailedChatDto {
  @ApiProperty({ example: '5511999990001@c.us' }) chatId!: string;
  @ApiProperty({ example: 'WAHA GET /api/{session}/chats/{chatId}/messages answered 500' }) error!: string;
}

export class HistoryImportResponseDto implements HistoryImportView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) channelId!: string;
  @ApiProperty({ description: 'Temporal workflow id', example: 'history-import:3c9a1f0e-5b7d-4e2a-9c8b-1d2e3f4a5b6c' })
  workflowId!: string;
  @ApiProperty({ enum: HISTORY_IMPORT_STATUSES }) status!: HistoryImportStatus;
  @ApiProperty({
    description:
      'determining_range, fetching_chats, importing_chats, consolidating_sessions, processing_buffered_webhooks, completing; then completed, cancelled or failed',
    example: 'importing_chats',
  })
  phase!: string;
  @ApiProperty({ type: HistoryImportRequestEchoDto }) request!: HistoryImportRequestEchoDto;
  @ApiProperty({ type: HistoryImportRangeDto }) range!: HistoryImportRangeDto;
  @ApiProperty() chatsTotal!: number;
  @ApiProperty() chatsDone!: number;
  @ApiProperty() chatsFailed!: number;
  @ApiProperty({ description: 'Messages stored (new)' }) messagesImported!: number;
  @ApiProperty({ description: 'Messages already stored (same WAHA id), skipped' }) messagesDuplicate!: number;
  @ApiProperty({
    description:
      'History items that are not conversation messages (status, newsletters, hidden ids, groups on a channel without them) or are malformed',
  })
  messagesSkipped!: number;
  @ApiProperty({ description: 'Known once the import ended' }) contactsCreated!: number;
  @ApiProperty({ description: 'Known once the import ended' }) sessionsCreated!: number;
  @ApiProperty({ description: 'Sessions left active (recent conversations), each watched by its lifecycle workflow' })
  sessionsActive!: number;
  @ApiProperty({ description: 'Live webhooks buffered during the import and replayed after it' })
  webhooksReplayed!: number;
  @ApiProperty({ type: [FailedChatDto] }) failedChats!: FailedChatDto[];
  @ApiProperty({ minimum: 0, maximum: 100 }) percent!: number;
  @ApiProperty({ type: Number, nullable: true }) messagesPerSecond!: number | null;
  @ApiProperty({ type: Number, nullable: true }) estimatedSecondsRemaining!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ type: String, nullable: true }) completedAt!: string | null;
  @ApiProperty({ enum: ['live', 'stored'], description: 'live: from the running workflow; stored: the recorded row' })
  source!: 'live' | 'stored';
}

export class HistoryImportPageResponseDto {
  @ApiProperty({ type: [HistoryImportResponseDto] }) data!: HistoryImportResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
