/** Inbound or outbound activity in a session at `at` (for messages: their WhatsApp time). */
export interface RecordSessionActivityCommand {
  tenantId: string;
  sessionId: string;
  at: Date;
}
