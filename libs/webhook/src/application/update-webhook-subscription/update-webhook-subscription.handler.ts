import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, ValidationError, assertUuid } from '@app/shared';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-event-catalogue';
import { WebhookSubscriptionNotFoundError } from '../../domain/webhook.errors';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { TenantChannels } from '../tenant-channels.port';
import { type WebhookSubscriptionView, toWebhookSubscriptionView } from '../webhook-subscription.view';
import { WebhookUrlGuard } from '../webhook-url.guard';
import { type UpdateWebhookSubscriptionCommand } from './update-webhook-subscription.command';

/** Changes a subscription (PATCH semantics). A new URL passes the same SSRF checks as at creation. */
@Injectable()
export class UpdateWebhookSubscriptionHandler {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly urlGuard: WebhookUrlGuard,
    private readonly channels: TenantChannels,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute(command: UpdateWebhookSubscriptionCommand): Promise<WebhookSubscriptionView> {
    assertUuid(command.id, 'id');
    // The checks that need I/O run before the row is locked.
    const url = command.url === undefined ? undefined : await this.urlGuard.check(command.url);
    if (command.channelId !== undefined && command.channelId !== null) {
      assertUuid(command.channelId, 'channelId');
      if (!(await this.channels.exists(command.tenantId, command.channelId)))
        throw new ValidationError('channelId', 'is not a channel of this tenant');
    }
    return this.unitOfWork.run(async () => {
      const subscription = await this.subscriptions.findByIdForUpdate(command.tenantId, command.id);
      if (!subscription) throw new WebhookSubscriptionNotFoundError(command.id);
      const changed = subscription.update(
        {
          url,
          eventTypes: command.eventTypes,
          channelId: command.channelId,
          description: command.description,
          maxAttempts: command.maxAttempts,
          active: command.active,
        },
        WEBHOOK_EVENT_TYPES,
        this.clock.now(),
      );
      if (changed.length > 0) await this.subscriptions.update(subscription);
      return toWebhookSubscriptionView(subscription);
    });
  }
}
