export interface GetChannelQuery {
  tenantId: string;
  id: string;
}
