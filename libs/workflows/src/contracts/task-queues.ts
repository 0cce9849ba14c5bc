/** Task queues, one per kind of work, so each can be scaled and selected (WORKER_TASK_QUEUES) on its own. */
export const TaskQueues = {
  inbound: 'inbound',
  sessions: 'sessions',
  outbox: 'outbox',
  webhooks: 'webhooks',
  historyImport: 'history-import',
  automation: 'automation',
} as const;
export type TaskQueue = (typeof TaskQueues)[keyof typeof TaskQueues];
export const ALL_TASK_QUEUES: readonly TaskQueue[] = Object.values(TaskQueues);
