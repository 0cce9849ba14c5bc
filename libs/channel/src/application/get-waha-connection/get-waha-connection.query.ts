export interface GetWahaConnectionQuery {
  tenantId: string;
  channelId: string;
}
