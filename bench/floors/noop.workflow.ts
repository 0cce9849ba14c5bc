import { proxyLocalActivities } from '@temporalio/workflow';
import type { NoopFloorActivities } from './noop-activities';

/**
 * The saga floor of `npm run bench:inbound`: a workflow doing ONE no-op local activity, the least a
 * saga started per message can cost the platform (one start, one workflow task, one local-activity
 * marker, completion). Bundled on its own by the bench's floor worker (its own workflowsPath), never
 * part of the production worker's bundle (libs/workflows/src/workflows).
 */
const { noop } = proxyLocalActivities<NoopFloorActivities>({ startToCloseTimeout: '10 seconds' });

export async function NoopFloorWorkflow(): Promise<void> {
  await noop();
}
