/** Saga compensation: remove a message the failed saga stored. */
export interface DeleteMessageCommand {
  tenantId: string;
  messageId: string;
  /** Why it is removed, e.g. `saga_rollback: session step failed`. */
  reason: string;
}
