export interface ReplayFailedWebhookDeliveriesCommand {
  tenantId: string;
  subscriptionId: string;
  /** Replays deliveries that failed or died at or after this time. */
  since: Date;
}

export interface ReplayFailedWebhookDeliveriesResult {
  /** Deliveries reset to pending and started again. */
  count: number;
  /** Failed or dead deliveries left alone because their event is no longer stored. */
  skipped: number;
}
