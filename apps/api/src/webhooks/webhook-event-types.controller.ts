import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WEBHOOK_EVENT_CATALOGUE, WEBHOOK_EXAMPLE_TENANT_ID } from '@app/webhook';
import { WEBHOOK_EVENT_DATA_MODELS, WEBHOOK_EVENT_DATA_SCHEMAS } from './dto/webhook-event-data.dto';
import {
  WebhookEventTypeListResponseDto,
  type WebhookEventTypeResponseDto,
  WebhookPayloadDto,
} from './dto/webhook-event-type.response.dto';
import { RequireScope } from '../platform/require-scope.decorator';

/** The catalogue, built once: every type with its schema name and a complete example payload. */
function catalogue(): WebhookEventTypeResponseDto[] {
  return WEBHOOK_EVENT_CATALOGUE.map((entry, index) => {
    const schema = WEBHOOK_EVENT_DATA_SCHEMAS[entry.type];
    if (!schema) throw new Error(`webhook event type ${entry.type} has no data schema`);
    return {
      type: entry.type,
      description: entry.description,
      dataSchema: schema.name,
      example: {
        id: `0b0c0d0e-0f10-4a11-8b12-${String(index).padStart(12, '0')}`,
        type: entry.type,
        occurredAt: '2025-11-26T12:00:00.000Z',
        tenantId: WEBHOOK_EXAMPLE_TENANT_ID,
        data: entry.exampleData,
      },
    };
  });
}

@ApiTags('webhooks')
@ApiExtraModels(WebhookPayloadDto, ...WEBHOOK_EVENT_DATA_MODELS)
@Controller('v1/webhook-event-types')
export class WebhookEventTypesController {
  private readonly types = catalogue();

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'The event types a webhook subscription can receive',
    description:
      'Each type with its meaning, the schema of its data (components.schemas in /docs-json) and an example payload. ' +
      'Every POST carries { id, type, occurredAt, tenantId, data } as compact JSON with the Standard Webhooks headers ' +
      'webhook-id (= id, the same on every retry), webhook-timestamp (Unix seconds of the attempt) and webhook-signature (v1,<base64 HMAC-SHA256>).',
  })
  @ApiOkResponse({ type: WebhookEventTypeListResponseDto })
  list(): WebhookEventTypeListResponseDto {
    return { data: this.types };
  }
}
