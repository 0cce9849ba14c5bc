export interface GetSessionQuery {
  tenantId: string;
  sessionId: string;
}
