export interface CreateWebhookSubscriptionCommand {
  tenantId: string;
  /** Absolute https URL (http only when WEBHOOK_ALLOW_HTTP); must resolve to public addresses. */
  url: string;
  /** Exact types, `*`, or prefix patterns such as `session.*`. */
  eventTypes: string[];
  /** Only events whose `data.channelId` is this channel of the tenant. */
  channelId?: string | null;
  description?: string | null;
  /** 1 to 50; WEBHOOK_DEFAULT_MAX_ATTEMPTS when absent. */
  maxAttempts?: number | null;
}
