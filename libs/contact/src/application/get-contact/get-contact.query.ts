export interface GetContactQuery {
  tenantId: string;
  id: string;
}
