export interface DeleteContactCommand {
  tenantId: string;
  id: string;
}
