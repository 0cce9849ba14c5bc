import { ApiProperty } from '@nestjs/swagger';
import { type WebhookSubscriptionView } from '@app/webhook';

export class WebhookSubscriptionResponseDto implements WebhookSubscriptionView {
  @ApiProperty({ format: 'uuid', example: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e' })
  id!: string;

  @ApiProperty({ example: 'https://hooks.example.com/crm' })
  url!: string;

  @ApiProperty({ type: String, nullable: true, example: 'CRM sync' })
  description!: string | null;

  @ApiProperty({ type: [String], example: ['session.*', 'message.created'] })
  eventTypes!: string[];

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Only events of this channel; null: every event',
  })
  channelId!: string | null;

  @ApiProperty({ description: 'Whether events are sent to it (false: paused or disabled)', example: true })
  active!: boolean;

  @ApiProperty({ description: 'Attempts per event before it is dead-lettered', example: 8 })
  maxAttempts!: number;

  @ApiProperty({ description: 'Dead-lettered deliveries in a row since the last success', example: 0 })
  consecutiveFailures!: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'First failed attempt (timeout, network error, 408, 429, 5xx, or no answer yet after WEBHOOK_SLOW_AFTER_MS) since the endpoint last accepted one; null while healthy. ' +
      'While set, new deliveries are held (status held): one at a time probes the endpoint, and the rest start once a success clears the mark ' +
      '(or enable, or PATCH active: true). webhook.test and replays are never held.',
  })
  failingSince!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it was disabled automatically (410 Gone, or too many failures in a row)',
  })
  disabledAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  disabledReason!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** Creation and rotation answers: the only time the signing secret is shown. */
export class WebhookSubscriptionWithSecretResponseDto extends WebhookSubscriptionResponseDto {
  @ApiProperty({
    description:
      'Signing secret (Standard Webhooks): verify webhook-signature = v1,base64(HMAC-SHA256(base64-decoded part after whsec_, "{webhook-id}.{webhook-timestamp}.{raw body}")). Shown only in this answer.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7kGvX9qHbK0=',
  })
  secret!: string;
}

export class WebhookSubscriptionPageResponseDto {
  @ApiProperty({ type: [WebhookSubscriptionResponseDto] })
  data!: WebhookSubscriptionResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}
