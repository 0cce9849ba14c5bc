import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, assertUuid } from '@app/shared';
import { WebhookSubscriptionNotFoundError } from '../../domain/webhook.errors';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { WebhookSecrets } from '../webhook-secrets';
import { type WebhookSubscriptionWithSecretView, toWebhookSubscriptionView } from '../webhook-subscription.view';
import { type RotateWebhookSubscriptionSecretCommand } from './rotate-webhook-subscription-secret.command';

/** Replaces the signing secret with a new generated one, returned once. Every attempt from now on
 *  (retries of earlier events included) is signed with the new secret only. */
@Injectable()
export class RotateWebhookSubscriptionSecretHandler {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly secrets: WebhookSecrets,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute(command: RotateWebhookSubscriptionSecretCommand): Promise<WebhookSubscriptionWithSecretView> {
    assertUuid(command.id, 'id');
    const secret = this.secrets.generate();
    const encrypted = this.secrets.encrypt(secret);
    const subscription = await this.unitOfWork.run(async () => {
      const found = await this.subscriptions.findByIdForUpdate(command.tenantId, command.id);
      if (!found) throw new WebhookSubscriptionNotFoundError(command.id);
      found.rotateSecret(encrypted, this.clock.now());
      await this.subscriptions.update(found);
      return found;
    });
    return { ...toWebhookSubscriptionView(subscription), secret };
  }
}
