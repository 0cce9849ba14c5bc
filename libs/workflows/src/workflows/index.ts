// Entry point of the workflow bundle: every workflow type the workers run.
export { OutboxProcessorWorkflow } from './outbox-processor.workflow';
export { ProcessInboundMessageSaga } from './process-inbound-message.saga';
export { SessionLifecycleWorkflow } from './session-lifecycle.workflow';
export { SessionCleanupWorkflow } from './session-cleanup.workflow';
export { MessageDebouncerWorkflow } from './message-debouncer.workflow';
export { WebhookDeliveryWorkflow } from './webhook-delivery.workflow';
export { WebhookHeldReleaseWorkflow } from './webhook-held-release.workflow';
export { WAHAHistoryImportWorkflow, ImportChatHistoryWorkflow } from './history-import.workflow';
