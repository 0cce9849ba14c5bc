import { type WebhookSubscription } from '../domain/webhook-subscription.aggregate';

/** A subscription as handlers return it: plain, serialisable, and without its secret. */
export interface WebhookSubscriptionView {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  channelId: string | null;
  active: boolean;
  maxAttempts: number;
  consecutiveFailures: number;
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Returned only when a secret is issued (creation, rotation): the one time it is shown. */
export interface WebhookSubscriptionWithSecretView extends WebhookSubscriptionView {
  /** `whsec_...`: verify `webhook-signature` with it (Standard Webhooks). */
  secret: string;
}

export function toWebhookSubscriptionView(subscription: WebhookSubscription): WebhookSubscriptionView {
  return {
    id: subscription.id,
    url: subscription.url,
    description: subscription.description,
    eventTypes: [...subscription.eventTypes],
    channelId: subscription.channelId,
    active: subscription.active,
    maxAttempts: subscription.maxAttempts,
    consecutiveFailures: subscription.consecutiveFailures,
    failingSince: subscription.failingSince ? subscription.failingSince.toISOString() : null,
    disabledAt: subscription.disabledAt ? subscription.disabledAt.toISOString() : null,
    disabledReason: subscription.disabledReason,
    createdAt: subscription.createdAt.toISOString(),
    updatedAt: subscription.updatedAt.toISOString(),
  };
}
