import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { WEBHOOK_EVENT_DATA_MODELS } from './webhook-event-data.dto';

/** What every webhook POST carries (compact JSON), signed per Standard Webhooks. */
export class WebhookPayloadDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The event id; also the webhook-id header, the same on every retry: deduplicate on it',
  })
  id!: string;

  @ApiProperty({ example: 'message.created' })
  type!: string;

  @ApiProperty({ format: 'date-time', description: 'When the event happened' })
  occurredAt!: string;

  @ApiProperty({ format: 'uuid' })
  tenantId!: string;

  @ApiProperty({
    description: 'Depends on type: see the schema GET /v1/webhook-event-types names for it',
    oneOf: WEBHOOK_EVENT_DATA_MODELS.map((model) => ({ $ref: getSchemaPath(model) })),
  })
  data!: Record<string, unknown>;
}

export class WebhookEventTypeResponseDto {
  @ApiProperty({ example: 'session.ended' })
  type!: string;

  @ApiProperty({ example: 'A session ended, with the reason and its summary.' })
  description!: string;

  @ApiProperty({
    description: 'Name of the schema of `data` under components.schemas of /docs-json',
    example: 'SessionEndedEventData',
  })
  dataSchema!: string;

  @ApiProperty({ type: WebhookPayloadDto, description: 'A complete example payload of this type' })
  example!: WebhookPayloadDto;
}

export class WebhookEventTypeListResponseDto {
  @ApiProperty({ type: [WebhookEventTypeResponseDto] })
  data!: WebhookEventTypeResponseDto[];
}
