/** Absent fields stay as they are; `null` clears channelId or description. */
export interface UpdateWebhookSubscriptionCommand {
  tenantId: string;
  id: string;
  url?: string;
  eventTypes?: string[];
  channelId?: string | null;
  description?: string | null;
  maxAttempts?: number;
  /** true re-enables (failure count reset, disabled mark cleared); false pauses deliveries. */
  active?: boolean;
}
