export interface CompleteMessageGroupCommand {
  tenantId: string;
  sessionId: string;
  channelId: string;
  /** Ids of the group's messages in the order collected; duplicates are dropped. */
  messageIds: string[];
  /** When the debounce window closed. */
  at: Date;
  /** Makes the call idempotent (a retried activity passes the same id); generated when absent. */
  groupId?: string;
}
