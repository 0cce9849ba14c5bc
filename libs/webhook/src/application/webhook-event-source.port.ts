/** An event as webhooks carry it: `{ id, type, occurredAt, tenantId, data }`. */
export interface WebhookEventPayload {
  id: string;
  type: string;
  /** ISO 8601. */
  occurredAt: string;
  tenantId: string;
  data: Record<string, unknown>;
}

/** Reads stored events (the transactional outbox) by id, within a tenant. */
export abstract class WebhookEventSource {
  /** The event, or null when the tenant has none with this id (never written, or already cleaned up). */
  abstract find(tenantId: string, eventId: string): Promise<WebhookEventPayload | null>;

  /** Which of these event ids are still stored for the tenant. */
  abstract stored(tenantId: string, eventIds: string[]): Promise<Set<string>>;
}
