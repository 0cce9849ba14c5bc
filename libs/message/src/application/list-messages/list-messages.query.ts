export interface ListMessagesQuery {
  tenantId: string;
  sessionId?: string;
  contactId?: string;
  channelId?: string;
  /** 1 to 200; defaults to 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}
