import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { WebhookSubscriptionNotFoundError } from '../../domain/webhook.errors';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { type SendTestWebhookCommand } from './send-test-webhook.command';

/**
 * Raises a `webhook.test` event for one subscription through the outbox (aggregateType
 * `webhook_subscription`, aggregateId and `data.subscriptionId` = the subscription). The fan-out
 * routes it to that subscription only, whatever its filters. Needs an active subscription
 * (WebhookSubscriptionInactiveError otherwise). Answers the event id, which is the `webhook-id` the
 * endpoint will receive.
 */
@Injectable()
export class SendTestWebhookHandler {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: SendTestWebhookCommand): Promise<{ eventId: string }> {
    assertUuid(command.id, 'id');
    return this.unitOfWork.run(async () => {
      const subscription = await this.subscriptions.findById(command.tenantId, command.id);
      if (!subscription) throw new WebhookSubscriptionNotFoundError(command.id);
      subscription.requestTest(command.message, this.clock.now());
      const events = subscription.pullEvents();
      await this.eventOutbox.append(events);
      return { eventId: events[0]!.id };
    });
  }
}
