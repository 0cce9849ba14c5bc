import { Module } from '@nestjs/common';
import { WebhookModule } from '@app/webhook';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookEventTypesController } from './webhook-event-types.controller';
import { WebhookSubscriptionsController } from './webhook-subscriptions.controller';

/** REST surface of the Webhook context: `/v1/webhook-subscriptions`, `/v1/webhook-deliveries`,
 *  `/v1/webhook-event-types`. Needs a global WebhookDeliveryStarter provider (replays). */
@Module({
  imports: [WebhookModule],
  controllers: [WebhookSubscriptionsController, WebhookDeliveriesController, WebhookEventTypesController],
})
export class WebhooksHttpModule {}
