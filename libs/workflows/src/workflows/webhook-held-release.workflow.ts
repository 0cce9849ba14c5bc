import { proxyActivities } from '@temporalio/workflow';
import { WEBHOOK_RELEASE_OPTIONS } from '../contracts/retry-policies';
import { requireInt } from '../contracts/validation';
import {
  type WebhookHeldReleaseActivitiesContract,
  type WebhookHeldReleaseInput,
  type WebhookHeldReleaseResult,
} from '../contracts/webhook-held-release.contracts';

const activities = proxyActivities<WebhookHeldReleaseActivitiesContract>(WEBHOOK_RELEASE_OPTIONS);

/** Run by the `webhook-held-release` Schedule: starts the held deliveries of endpoints that recovered,
 *  and one probe per failing endpoint that has no run under way (WebhookHeldDeliveryReleaseService). */
export async function WebhookHeldReleaseWorkflow(
  input: WebhookHeldReleaseInput = { batchSize: 500 },
): Promise<WebhookHeldReleaseResult> {
  const batchSize = requireInt(input.batchSize, 'batchSize', 1, 10_000);
  return activities.releaseHeldWebhookDeliveries({ batchSize });
}
