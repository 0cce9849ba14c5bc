import { ActivityFailure, ApplicationFailure, patched, proxyActivities, sleep } from '@temporalio/workflow';
import { webhookDeliveryOptions, webhookRetryDelayMs, WEBHOOK_BOOKKEEPING_OPTIONS } from '../contracts/retry-policies';
import { invalidInput, requireInt } from '../contracts/validation';
import {
  type WebhookActivitiesContract,
  type WebhookDeliveryInput,
  type WebhookDeliveryResult,
  WEBHOOK_GONE,
} from '../contracts/webhook-delivery.contracts';

const bookkeeping = proxyActivities<WebhookActivitiesContract>(WEBHOOK_BOOKKEEPING_OPTIONS);

/** Since this patch a successful deliverWebhook finishes the success bookkeeping in its own attempt
 *  transaction, so a delivery costs one activity; runs recorded before it still call
 *  webhookStatusUpdate (idempotent) on replay. */
const DELIVERED_IN_ATTEMPT_PATCH = 'webhook-delivered-in-attempt';

/** Since this patch the fan-out makes the first attempt itself and starts a run only when it failed;
 *  such a run (input `attemptsMade` > 0) waits the schedule's next backoff (a timer) before its first
 *  attempt and retries on the rest of the schedule. Runs without `attemptsMade` take the old path. */
const CONTINUES_INLINE_ATTEMPT_PATCH = 'webhook-continues-inline-attempt';

/**
 * One event to one subscription (id `webhook:{subscriptionId}:{eventId}`, so a re-published event
 * never makes a second run), for deliveries whose inline first attempt at fan-out failed (then
 * `attemptsMade` counts it), could not be made (per-subscription cap, failing endpoint), or that
 * start later (held releases, replays). One activity, retried by Temporal's policy only; every
 * attempt is recorded by the activity, and the successful one also marks the delivery delivered and
 * resets the subscription's failure count. On final failure CompensateWebhook dead-letters it and may
 * disable the subscription. The input holds ids only: the URL and the secret are loaded by the activity.
 */
export async function WebhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  validate(input);
  const attemptsMade =
    (input.attemptsMade ?? 0) > 0 && patched(CONTINUES_INLINE_ATTEMPT_PATCH) ? input.attemptsMade! : 0;
  const deliver = proxyActivities<WebhookActivitiesContract>(webhookDeliveryOptions(input.maxAttempts, attemptsMade));
  const firstWaitMs = attemptsMade > 0 ? (input.retryAfterMs ?? webhookRetryDelayMs(attemptsMade)) : 0;
  if (firstWaitMs > 0) await sleep(firstWaitMs);
  try {
    const result = await deliver.deliverWebhook(input);
    if (!patched(DELIVERED_IN_ATTEMPT_PATCH)) {
      await bookkeeping.webhookStatusUpdate({
        tenantId: input.tenantId,
        deliveryId: input.deliveryId,
        statusCode: result.statusCode,
      });
    }
    return { deliveryId: input.deliveryId, status: 'delivered', attempts: result.attempt };
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const failure = cause instanceof ApplicationFailure ? cause : null;
    const { attempts } = await bookkeeping.compensateWebhook({
      tenantId: input.tenantId,
      deliveryId: input.deliveryId,
      reason: failure?.message ?? (cause as Error)?.message ?? 'delivery failed',
      gone: failure?.type === WEBHOOK_GONE,
    });
    return { deliveryId: input.deliveryId, status: 'dead', attempts };
  }
}

function validate(input: WebhookDeliveryInput): void {
  if (!input || typeof input !== 'object') throw invalidInput('input', 'is required');
  for (const key of ['tenantId', 'subscriptionId', 'eventId', 'deliveryId'] as const) {
    if (typeof input[key] !== 'string' || !input[key]) throw invalidInput(key, 'is required');
  }
  requireInt(input.maxAttempts, 'maxAttempts', 1, 50);
  if (input.attemptsMade !== undefined) requireInt(input.attemptsMade, 'attemptsMade', 0, input.maxAttempts - 1);
  if (input.retryAfterMs !== undefined) requireInt(input.retryAfterMs, 'retryAfterMs', 0);
}
