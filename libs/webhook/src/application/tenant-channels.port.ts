/** What the Webhook context needs to know about the tenant's channels (owned by the Channel context). */
export abstract class TenantChannels {
  /** Whether the tenant has a channel with this id. */
  abstract exists(tenantId: string, channelId: string): Promise<boolean>;
}
