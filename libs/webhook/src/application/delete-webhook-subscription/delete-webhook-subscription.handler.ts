import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, assertUuid } from '@app/shared';
import { WebhookSubscriptionNotFoundError } from '../../domain/webhook.errors';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { type DeleteWebhookSubscriptionCommand } from './delete-webhook-subscription.command';

/** Soft-deletes a subscription: no new deliveries are planned for it, and runs in flight stop at
 *  their next attempt (the dispatcher answers `inactive`). Its deliveries are kept. */
@Injectable()
export class DeleteWebhookSubscriptionHandler {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute(command: DeleteWebhookSubscriptionCommand): Promise<void> {
    assertUuid(command.id, 'id');
    await this.unitOfWork.run(async () => {
      const subscription = await this.subscriptions.findByIdForUpdate(command.tenantId, command.id);
      if (!subscription) throw new WebhookSubscriptionNotFoundError(command.id);
      subscription.delete(this.clock.now());
      await this.subscriptions.update(subscription);
    });
  }
}
