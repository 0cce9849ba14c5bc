import { proxyLocalActivities, sleep } from '@temporalio/workflow';

/**
 * The floor of `npm run bench:sessions` (never part of the production worker's bundle: the bench
 * bundles this file on its own and runs it on its own worker process and task queue): one durable
 * timer until the same deadline a session would have, then one no-op local activity, then done.
 * What any "sleep until the deadline, then do one thing" design costs on this dev server and SDK.
 */

export interface SessionTimerInput {
  /** Epoch ms the timer is for (a session's last activity + timeout). */
  deadlineMs: number;
}

export interface SessionTimerActivities {
  sessionTimerNoop(): Promise<void>;
}

const { sessionTimerNoop } = proxyLocalActivities<SessionTimerActivities>({ startToCloseTimeout: '10 seconds' });

export async function SessionTimerFloorWorkflow(input: SessionTimerInput): Promise<void> {
  // Workflow time (the workflow task's start) as the real lifecycle workflow computes its wait.
  const waitMs = input.deadlineMs - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  await sessionTimerNoop();
}
