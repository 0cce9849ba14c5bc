import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, ValidationError, assertUuid } from '@app/shared';
import { type WebhookDelivery } from '../../domain/webhook-delivery';
import { WebhookDeliveryRepository } from '../../domain/webhook-delivery.repository.port';
import { WebhookSubscriptionInactiveError, WebhookSubscriptionNotFoundError } from '../../domain/webhook.errors';
import { type WebhookSubscription } from '../../domain/webhook-subscription.aggregate';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { WebhookDeliveryStarter } from '../webhook-delivery-starter.port';
import { WebhookEventSource } from '../webhook-event-source.port';
import {
  type ReplayFailedWebhookDeliveriesCommand,
  type ReplayFailedWebhookDeliveriesResult,
} from './replay-failed-webhook-deliveries.command';

/** Deliveries read per batch. */
const BATCH_SIZE = 200;

/**
 * Re-delivers everything of one subscription that is `failed` or `dead` and last changed at or after
 * `since` ("recover"): each such delivery is reset to pending and started again with `replay: true`,
 * one transaction per delivery (a start that fails leaves that row as it was and stops the run, with
 * the earlier ones replayed). Deliveries whose event is no longer stored are skipped and counted.
 */
@Injectable()
export class ReplayFailedWebhookDeliveriesHandler {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly events: WebhookEventSource,
    private readonly starter: WebhookDeliveryStarter,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute(command: ReplayFailedWebhookDeliveriesCommand): Promise<ReplayFailedWebhookDeliveriesResult> {
    assertUuid(command.subscriptionId, 'id');
    if (!(command.since instanceof Date) || Number.isNaN(command.since.getTime()))
      throw new ValidationError('since', 'must be a valid time');
    const subscription = await this.subscriptions.findById(command.tenantId, command.subscriptionId);
    if (!subscription) throw new WebhookSubscriptionNotFoundError(command.subscriptionId);
    if (!subscription.isLive) throw new WebhookSubscriptionInactiveError(subscription.id);

    const result: ReplayFailedWebhookDeliveriesResult = { count: 0, skipped: 0 };
    let after: { updatedAt: Date; id: string } | undefined;
    for (;;) {
      const batch = await this.deliveries.listFailedSince(
        command.tenantId,
        subscription.id,
        command.since,
        BATCH_SIZE,
        after,
      );
      if (batch.length === 0) return result;
      const last = batch[batch.length - 1]!;
      after = { updatedAt: last.updatedAt, id: last.id };
      const stored = await this.events.stored(
        command.tenantId,
        batch.map((d) => d.eventId),
      );
      for (const candidate of batch) {
        if (!stored.has(candidate.eventId)) {
          result.skipped += 1;
        } else if (await this.replay(subscription, candidate)) {
          result.count += 1;
        }
      }
      if (batch.length < BATCH_SIZE) return result;
    }
  }

  /** Resets and starts one delivery if it is still failed or dead (a run may have moved it on). */
  private replay(subscription: WebhookSubscription, candidate: WebhookDelivery): Promise<boolean> {
    return this.unitOfWork.run(async () => {
      const delivery = await this.deliveries.findByIdForUpdate(candidate.tenantId, candidate.id);
      if (!delivery || (delivery.status !== 'failed' && delivery.status !== 'dead')) return false;
      delivery.resetForReplay(this.clock.now());
      await this.deliveries.update(delivery);
      await this.starter.replay(delivery, subscription.maxAttempts);
      return true;
    });
  }
}
