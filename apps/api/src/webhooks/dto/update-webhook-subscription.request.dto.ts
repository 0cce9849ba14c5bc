import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  EVENT_TYPES_MAX_COUNT,
  EVENT_TYPE_MAX_LENGTH,
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  WEBHOOK_MAX_ATTEMPTS_MAX,
  WEBHOOK_MAX_ATTEMPTS_MIN,
  WEBHOOK_URL_MAX_LENGTH,
} from '@app/webhook';
import { EVENT_TYPES_DESCRIPTION } from './create-webhook-subscription.request.dto';

const isPresent = (_dto: unknown, value: unknown) => value !== undefined;

/** Absent fields stay as they are; null clears channelId or description. */
export class UpdateWebhookSubscriptionRequestDto {
  @ApiPropertyOptional({
    description: 'New endpoint URL (checked like at creation)',
    example: 'https://hooks.example.com/crm/v2',
    maxLength: WEBHOOK_URL_MAX_LENGTH,
  })
  @ValidateIf(isPresent)
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url?: string;

  @ApiPropertyOptional({
    description: EVENT_TYPES_DESCRIPTION,
    example: ['*'],
    type: [String],
    minItems: 1,
    maxItems: EVENT_TYPES_MAX_COUNT,
  })
  @ValidateIf(isPresent)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES_MAX_COUNT)
  @IsString({ each: true })
  @MaxLength(EVENT_TYPE_MAX_LENGTH, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Only events of this channel; null: every event',
  })
  @IsOptional()
  @IsUUID()
  channelId?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'CRM sync (prod)',
    maxLength: WEBHOOK_DESCRIPTION_MAX_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(WEBHOOK_DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  @ApiPropertyOptional({ minimum: WEBHOOK_MAX_ATTEMPTS_MIN, maximum: WEBHOOK_MAX_ATTEMPTS_MAX, example: 10 })
  @ValidateIf(isPresent)
  @IsInt()
  @Min(WEBHOOK_MAX_ATTEMPTS_MIN)
  @Max(WEBHOOK_MAX_ATTEMPTS_MAX)
  maxAttempts?: number;

  @ApiPropertyOptional({
    description:
      'false pauses deliveries (events raised meanwhile are not sent); true re-enables, like POST .../enable',
    example: true,
  })
  @ValidateIf(isPresent)
  @IsBoolean()
  active?: boolean;
}
