import {
  type WebhookAttemptOutcome,
  WebhookDelivery,
  type WebhookDeliveryAttempt,
  isWebhookDeliveryStatus,
} from '../../domain/webhook-delivery';
import { type EncryptedSigningSecret } from '../../domain/webhook-signature';
import { WebhookSubscription } from '../../domain/webhook-subscription.aggregate';
import { WebhookDeliveryAttemptOrmEntity } from './webhook-delivery-attempt.orm-entity';
import { WebhookDeliveryOrmEntity } from './webhook-delivery.orm-entity';
import { WebhookSubscriptionOrmEntity } from './webhook-subscription.orm-entity';

/** Aggregates and records <-> rows. The secret passes through as the ciphertext it is stored as. */
export const WebhookMapper = {
  subscriptionToDomain(row: WebhookSubscriptionOrmEntity): WebhookSubscription {
    return WebhookSubscription.rehydrate({
      id: row.id,
      tenantId: row.tenantId,
      url: row.url,
      description: row.description,
      eventTypes: row.eventTypes,
      channelId: row.channelId,
      encryptedSecret: row.secretEnc as EncryptedSigningSecret,
      active: row.active,
      maxAttempts: row.maxAttempts,
      consecutiveFailures: row.consecutiveFailures,
      failingSince: row.failingSince,
      disabledAt: row.disabledAt,
      disabledReason: row.disabledReason,
      deletedAt: row.deletedAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      version: row.version,
    });
  },

  subscriptionToOrm(subscription: WebhookSubscription): WebhookSubscriptionOrmEntity {
    const p = subscription.toProps();
    const row = new WebhookSubscriptionOrmEntity();
    row.id = p.id;
    row.tenantId = p.tenantId;
    row.url = p.url;
    row.description = p.description;
    row.eventTypes = p.eventTypes;
    row.channelId = p.channelId;
    row.secretEnc = p.encryptedSecret;
    row.active = p.active;
    row.maxAttempts = p.maxAttempts;
    row.consecutiveFailures = p.consecutiveFailures;
    row.failingSince = p.failingSince;
    row.disabledAt = p.disabledAt;
    row.disabledReason = p.disabledReason;
    row.deletedAt = p.deletedAt;
    row.createdAt = p.createdAt;
    row.updatedAt = p.updatedAt;
    row.version = p.version;
    return row;
  },

  deliveryToDomain(row: WebhookDeliveryOrmEntity): WebhookDelivery {
    if (!isWebhookDeliveryStatus(row.status))
      throw new Error(`webhook delivery ${row.id} has an unknown status ${row.status}`);
    return WebhookDelivery.rehydrate({
      id: row.id,
      tenantId: row.tenantId,
      subscriptionId: row.subscriptionId,
      eventId: row.eventId,
      eventType: row.eventType,
      status: row.status,
      attempts: row.attempts,
      lastStatusCode: row.lastStatusCode,
      lastError: row.lastError,
      nextAttemptAt: row.nextAttemptAt,
      deliveredAt: row.deliveredAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  },

  attemptToDomain(row: WebhookDeliveryAttemptOrmEntity): WebhookDeliveryAttempt {
    return {
      attempt: row.attempt,
      startedAt: row.startedAt,
      durationMs: row.durationMs,
      statusCode: row.statusCode,
      error: row.error,
      outcome: row.outcome as WebhookAttemptOutcome,
    };
  },
};
