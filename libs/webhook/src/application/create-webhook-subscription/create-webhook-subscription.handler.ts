import { Inject, Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, ValidationError } from '@app/shared';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-event-catalogue';
import { WebhookSubscription } from '../../domain/webhook-subscription.aggregate';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { type WebhookSettings, webhookConfig } from '../../webhook.config';
import { TenantChannels } from '../tenant-channels.port';
import { WebhookSecrets } from '../webhook-secrets';
import { type WebhookSubscriptionWithSecretView, toWebhookSubscriptionView } from '../webhook-subscription.view';
import { WebhookUrlGuard } from '../webhook-url.guard';
import { type CreateWebhookSubscriptionCommand } from './create-webhook-subscription.command';

/** Creates an active subscription with a generated `whsec_` secret. The answer carries the secret:
 *  the only time it is shown; the row stores it encrypted. */
@Injectable()
export class CreateWebhookSubscriptionHandler {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly secrets: WebhookSecrets,
    private readonly urlGuard: WebhookUrlGuard,
    private readonly channels: TenantChannels,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @Inject(webhookConfig.KEY) private readonly config: Pick<WebhookSettings, 'defaultMaxAttempts'>,
  ) {}

  async execute(command: CreateWebhookSubscriptionCommand): Promise<WebhookSubscriptionWithSecretView> {
    const secret = this.secrets.generate();
    // Everything that needs no I/O first, so a malformed request fails fast and names its field.
    const subscription = WebhookSubscription.create(
      {
        tenantId: command.tenantId,
        url: this.urlGuard.checkSyntax(command.url).href,
        eventTypes: command.eventTypes,
        channelId: command.channelId,
        description: command.description,
        maxAttempts: command.maxAttempts ?? this.config.defaultMaxAttempts,
        encryptedSecret: this.secrets.encrypt(secret),
      },
      WEBHOOK_EVENT_TYPES,
      this.clock.now(),
    );
    await this.urlGuard.check(subscription.url);
    if (
      subscription.channelId !== null &&
      !(await this.channels.exists(subscription.tenantId, subscription.channelId))
    ) {
      throw new ValidationError('channelId', 'is not a channel of this tenant');
    }
    await this.unitOfWork.run(() => this.subscriptions.insert(subscription));
    return { ...toWebhookSubscriptionView(subscription), secret };
  }
}
