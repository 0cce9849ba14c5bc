export interface ListWebhookSubscriptionsQuery {
  tenantId: string;
  /** 1 to 200; defaults to 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}
