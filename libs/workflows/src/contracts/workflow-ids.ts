/** Workflow ids are business keys (DESIGN section 4): starting the same id twice is a no-op, never a
 *  second run. Only internal ids go in here, never phone numbers or other personal data (the inbound
 *  saga's id hashes WAHA's message id, outside the workflow sandbox: temporal/inbound-workflow-id.ts). */
export const OUTBOX_PROCESSOR_WORKFLOW_ID = 'outbox-processor';
export const SESSION_CLEANUP_SCHEDULE_ID = 'session-cleanup';
export const WEBHOOK_HELD_RELEASE_SCHEDULE_ID = 'webhook-held-release';

export const sessionWorkflowId = (sessionId: string) => `session:${sessionId}`;
export const debouncerWorkflowId = (sessionId: string) => `debounce:${sessionId}`;
export const webhookDeliveryWorkflowId = (subscriptionId: string, eventId: string) =>
  `webhook:${subscriptionId}:${eventId}`;
export const historyImportWorkflowId = (channelId: string) => `history-import:${channelId}`;
export const historyImportChatWorkflowId = (channelId: string, chatId: string) =>
  `history-import:${channelId}:${chatId}`;
