import { proxyActivities } from '@temporalio/workflow';
import { AUTOMATION_ACTIVITY_OPTIONS } from '../contracts/retry-policies';
import {
  type SessionCleanupActivitiesContract,
  type SessionCleanupInput,
  type SessionCleanupResult,
} from '../contracts/session-cleanup.contracts';
import { requireInt } from '../contracts/validation';

const activities = proxyActivities<SessionCleanupActivitiesContract>(AUTOMATION_ACTIVITY_OPTIONS);

/** Run by the `session-cleanup` Temporal Schedule: ends active sessions whose own deadline passed and
 *  whose lifecycle workflow is gone (reason `cleanup`, with the same summary), and reports the counts
 *  per tenant. Sessions still watched by a lifecycle workflow are left to it. */
export async function SessionCleanupWorkflow(
  input: SessionCleanupInput = { batchSize: 500 },
): Promise<SessionCleanupResult> {
  const batchSize = requireInt(input.batchSize, 'batchSize', 1, 10_000);
  return activities.cleanupExpiredSessions({ batchSize });
}
