export interface GetSessionMessageStatsQuery {
  tenantId: string;
  sessionId: string;
}
