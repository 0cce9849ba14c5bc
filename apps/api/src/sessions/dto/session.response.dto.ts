import { ApiProperty } from '@nestjs/swagger';
import {
  SESSION_END_REASONS,
  SESSION_STATUSES,
  type SessionEndReason,
  type SessionStatus,
  type SessionSummaryData,
  type SessionView,
} from '@app/session';

export class SessionSummaryResponseDto implements SessionSummaryData {
  @ApiProperty({ description: 'Messages from the contact', example: 7 })
  messagesInbound!: number;

  @ApiProperty({ description: 'Messages from the business', example: 5 })
  messagesOutbound!: number;

  @ApiProperty({ example: 12 })
  messagesTotal!: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'WhatsApp time of the first message',
    example: '2025-11-26T12:00:05.000Z',
  })
  firstMessageAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'WhatsApp time of the last message',
    example: '2025-11-26T12:14:40.000Z',
  })
  lastMessageAt!: string | null;

  @ApiProperty({ description: 'From start to end, in seconds (millisecond precision)', example: 2680.5 })
  durationSeconds!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'From the first inbound message to the first reply after it, in seconds (millisecond precision); null without a reply',
    example: 42.25,
  })
  firstResponseSeconds!: number | null;
}

export class SessionResponseDto implements SessionView {
  @ApiProperty({ format: 'uuid', example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30' })
  contactId!: string;

  @ApiProperty({ format: 'uuid', example: '5d0c7a1e-3b2f-4e6a-8c9d-7f1e2a3b4c5d' })
  channelId!: string;

  @ApiProperty({ enum: SESSION_STATUSES, example: 'ended' })
  status!: SessionStatus;

  @ApiProperty({
    format: 'date-time',
    description: 'Time of the activity that opened the session',
    example: '2025-11-26T12:00:05.000Z',
  })
  startedAt!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'Latest inbound or outbound activity',
    example: '2025-11-26T12:14:40.000Z',
  })
  lastActivityAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2025-11-26T12:44:40.000Z' })
  endedAt!: string | null;

  @ApiProperty({ enum: SESSION_END_REASONS, nullable: true, example: 'inactivity' })
  endReason!: SessionEndReason | null;

  @ApiProperty({ description: 'Inactivity timeout in seconds', example: 1800 })
  timeoutSeconds!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Seconds before the deadline that the timeout warning is given; null for none',
    example: 300,
  })
  warningLeadSeconds!: number | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When an active session ends unless there is more activity (last activity + timeout); null once ended',
    example: null,
  })
  deadlineAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the timeout warning of an active session is due; null without a warning lead or once ended',
    example: null,
  })
  warningAt!: string | null;

  @ApiProperty({ type: SessionSummaryResponseDto, nullable: true, description: 'Set when the session ends' })
  summary!: SessionSummaryResponseDto | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Ad first-touch data (the referral of the ad that started the conversation), if any',
    example: { sourceType: 'ad', sourceId: '120208', ctwaClid: 'ARAkLk...' },
  })
  firstTouch!: Record<string, unknown> | null;

  @ApiProperty({ format: 'date-time', example: '2025-11-26T12:00:05.120Z' })
  createdAt!: string;
}

export class SessionPageResponseDto {
  @ApiProperty({ type: [SessionResponseDto] })
  data!: SessionResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}
