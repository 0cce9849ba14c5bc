export interface GetMessageQuery {
  tenantId: string;
  id: string;
}
