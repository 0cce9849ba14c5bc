import { ApiProperty } from '@nestjs/swagger';
import {
  WEBHOOK_ATTEMPT_OUTCOMES,
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookAttemptOutcome,
  type WebhookDeliveryAttemptView,
  type WebhookDeliveryStatus,
  type WebhookDeliveryView,
  type WebhookDeliveryWithAttemptsView,
} from '@app/webhook';

export class WebhookDeliveryAttemptResponseDto implements WebhookDeliveryAttemptView {
  @ApiProperty({ description: 'Numbered per delivery, replays included', example: 1 })
  attempt!: number;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ example: 142 })
  durationMs!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: "The endpoint's HTTP status; null without an answer",
    example: 503,
  })
  statusCode!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it failed (response bodies are never stored)',
    example: 'endpoint answered 503',
  })
  error!: string | null;

  @ApiProperty({ enum: WEBHOOK_ATTEMPT_OUTCOMES, example: 'retryable' })
  outcome!: WebhookAttemptOutcome;
}

export class WebhookDeliveryResponseDto implements WebhookDeliveryView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  subscriptionId!: string;

  @ApiProperty({ format: 'uuid', description: 'The event id, sent as webhook-id' })
  eventId!: string;

  @ApiProperty({ example: 'message.created' })
  eventType!: string;

  @ApiProperty({
    enum: WEBHOOK_DELIVERY_STATUSES,
    description:
      'held: its endpoint is failing, it waits (started once the endpoint recovers, or as its probe); pending: its run is starting; failed: retrying; dead: gave up (replay to send again)',
    example: 'delivered',
  })
  status!: WebhookDeliveryStatus;

  @ApiProperty({ description: 'Attempts of the current run (a replay starts a new run)', example: 1 })
  attempts!: number;

  @ApiProperty({ type: Number, nullable: true, example: 200 })
  lastStatusCode!: number | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  lastError!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the endpoint asked (Retry-After) to be retried',
  })
  nextAttemptAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class WebhookDeliveryWithAttemptsResponseDto
  extends WebhookDeliveryResponseDto
  implements WebhookDeliveryWithAttemptsView
{
  @ApiProperty({ type: [WebhookDeliveryAttemptResponseDto], description: 'Every attempt, oldest first' })
  attemptLog!: WebhookDeliveryAttemptResponseDto[];
}

export class WebhookDeliveryPageResponseDto {
  @ApiProperty({ type: [WebhookDeliveryWithAttemptsResponseDto] })
  data!: WebhookDeliveryWithAttemptsResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class WebhookReplayResultResponseDto {
  @ApiProperty({ description: 'Deliveries reset to pending and sent again', example: 12 })
  count!: number;

  @ApiProperty({
    description: 'Failed or dead deliveries not replayed because their event is no longer stored',
    example: 0,
  })
  skipped!: number;
}
