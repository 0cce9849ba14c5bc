export interface GetSessionPolicyQuery {
  tenantId: string;
  channelId: string;
}
