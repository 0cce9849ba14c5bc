export * from './task-queues';
export * from './workflow-ids';
export * from './validation';
export * from './retry-policies';
export * from './outbox-processor.contracts';
