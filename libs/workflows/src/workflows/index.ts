// Entry point of the workflow bundle: every workflow type the workers run.
export { OutboxProcessorWorkflow } from './outbox-processor.workflow';
