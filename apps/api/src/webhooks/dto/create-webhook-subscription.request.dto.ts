import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  EVENT_TYPES_MAX_COUNT,
  EVENT_TYPE_MAX_LENGTH,
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  WEBHOOK_MAX_ATTEMPTS_MAX,
  WEBHOOK_MAX_ATTEMPTS_MIN,
  WEBHOOK_URL_MAX_LENGTH,
} from '@app/webhook';

export const EVENT_TYPES_DESCRIPTION =
  'Event types to receive: exact names from GET /v1/webhook-event-types, "*" for all, or prefix patterns such as "session.*" ' +
  '(every type starting with "session."). webhook.test reaches the subscription it is sent to whatever this filter says.';

export class CreateWebhookSubscriptionRequestDto {
  @ApiProperty({
    description:
      'Endpoint the events are POSTed to: absolute https URL (a query string is allowed; no credentials or fragment). Its host must resolve to public addresses only.',
    example: 'https://hooks.example.com/crm',
    maxLength: WEBHOOK_URL_MAX_LENGTH,
  })
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url!: string;

  @ApiProperty({
    description: EVENT_TYPES_DESCRIPTION,
    example: ['session.*', 'message.created'],
    type: [String],
    minItems: 1,
    maxItems: EVENT_TYPES_MAX_COUNT,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES_MAX_COUNT)
  @IsString({ each: true })
  @MaxLength(EVENT_TYPE_MAX_LENGTH, { each: true })
  eventTypes!: string[];

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'Only events of this channel (their data.channelId); events without a channel are then not sent. Absent or null: every event.',
  })
  @IsOptional()
  @IsUUID()
  channelId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'CRM sync', maxLength: WEBHOOK_DESCRIPTION_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(WEBHOOK_DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  @ApiPropertyOptional({
    description: `Attempts per event before it is dead-lettered (${WEBHOOK_MAX_ATTEMPTS_MIN} to ${WEBHOOK_MAX_ATTEMPTS_MAX}); the server default (8 unless configured) when absent`,
    minimum: WEBHOOK_MAX_ATTEMPTS_MIN,
    maximum: WEBHOOK_MAX_ATTEMPTS_MAX,
    example: 8,
  })
  @IsOptional()
  @IsInt()
  @Min(WEBHOOK_MAX_ATTEMPTS_MIN)
  @Max(WEBHOOK_MAX_ATTEMPTS_MAX)
  maxAttempts?: number;
}
