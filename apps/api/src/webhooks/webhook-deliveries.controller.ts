import { Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ReplayWebhookDeliveryHandler, type WebhookDeliveryView } from '@app/webhook';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { WebhookDeliveryResponseDto } from './dto/webhook-delivery.response.dto';
import { UuidParam } from '../platform/uuid-param';
import { RequireScope } from '../platform/require-scope.decorator';

@ApiTags('webhooks')
@Controller('v1/webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly replayDelivery: ReplayWebhookDeliveryHandler) {}

  @Post(':id/replay')
  @RequireScope('write')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send one delivery again',
    description:
      'Whatever its status: it goes back to pending and a new run starts (same webhook-id; earlier attempts stay in its log).',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The delivery id' })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such delivery in the tenant (or its subscription was deleted)' })
  @ApiUnprocessableEntityResponse({ description: 'The subscription is not active, or the event is no longer stored' })
  replay(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<WebhookDeliveryView> {
    return this.replayDelivery.execute({ tenantId, id });
  }
}
