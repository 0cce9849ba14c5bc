import type { ActivityOptions, LocalActivityOptions } from '@temporalio/common';

/** Every activity timeout and retry policy lives here, so they can be reviewed side by side. */

/** Short database steps of the outbox relay. Failed publishes are not activity failures (the event's
 *  own attempts and backoff track them); only infrastructure errors (database down) retry here, a few
 *  times: then the failure reaches OutboxProcessorWorkflow, which records it (stats, worker readiness),
 *  backs off and keeps looping, and the worker's supervisor restarts a run that still failed. */
export const OUTBOX_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
};

/** How long a saga's mandatory steps keep retrying an infrastructure failure (database or Temporal
 *  down) before the saga gives up and compensates: a message answered 202 must survive an outage
 *  shorter than this. Only the step's own non-retryable failures (validation, business rules, see
 *  activities/activity-context.ts) end it sooner. */
export const SAGA_STEP_RETRY_WINDOW = '15 minutes';

/** Saga steps: short database work. Retried with backoff (200 ms x2, capped at 30 s) for the whole
 *  retry window: no maximumAttempts (unlimited; the SDK refuses 0). */
export const SAGA_STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: SAGA_STEP_RETRY_WINDOW,
  retry: {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['ValidationError'],
  },
};

/** Optional saga steps (debouncer, ad conversion, publish): bounded retries, never fail the saga. */
export const SAGA_OPTIONAL_STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 3,
  },
};

/** The saga steps as local activities (same timeouts and retries): a message costs one workflow task,
 *  not one per step. Every backoff stays under localRetryThreshold (1 minute), so retries happen
 *  inside the worker (the SDK keeps the workflow task alive meanwhile) and never become timers:
 *  the workflow emits the same commands whatever the number of attempts. */
export const SAGA_LOCAL_STEP_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: SAGA_STEP_OPTIONS.startToCloseTimeout,
  scheduleToCloseTimeout: SAGA_STEP_OPTIONS.scheduleToCloseTimeout,
  localRetryThreshold: '1 minute',
  retry: SAGA_STEP_OPTIONS.retry,
};
export const SAGA_LOCAL_OPTIONAL_STEP_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: SAGA_OPTIONAL_STEP_OPTIONS.startToCloseTimeout,
  retry: SAGA_OPTIONAL_STEP_OPTIONS.retry,
};

/** Compensations are idempotent, so they retry until they succeed (with a generous cap). */
export const COMPENSATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 50,
  },
};

/** Session lifecycle steps; the WAHA send of a warning may wait on a slow or restarting WAHA. */
export const SESSION_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['ValidationError', 'WahaPermanentError'],
  },
};

/** The wake-up read of a session's timing: a local activity (a marker, no server round trip), retried
 *  without limit through a database outage, since the session must still end when it is due. */
export const SESSION_LOCAL_READ_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['ValidationError'],
  },
};

/** The inactivity end as a local activity (a marker instead of an activity task's three events and
 *  a trip through matching): SESSION_ACTIVITY_OPTIONS' retries, kept inside the worker. */
export const SESSION_LOCAL_END_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: SESSION_ACTIVITY_OPTIONS.startToCloseTimeout,
  localRetryThreshold: '1 minute',
  retry: SESSION_ACTIVITY_OPTIONS.retry,
};

/** The timeout warning's send. Every retried attempt first asks WAHA whether the previous one went
 *  out (a 5xx or a timeout may hide a sent message), so Temporal never resends it blindly; the
 *  workflow bounds the whole by the session's deadline (scheduleToClose), since a warning after the
 *  end is pointless; the short first intervals fit a few attempts into a short lead. 4xx answers
 *  (WahaPermanentError) are final. */
export const SESSION_WARNING_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 8,
    nonRetryableErrorTypes: ['ValidationError', 'WahaPermanentError'],
  },
};

/** Cleanup and debouncer bookkeeping. */
export const AUTOMATION_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};

/** The webhook retry schedule: the wait before retry n (n = 1 after the first attempt) is
 *  1 s x 2^(n-1), capped at 5 minutes. */
const WEBHOOK_RETRY_INITIAL_MS = 1_000;
const WEBHOOK_RETRY_MAX_MS = 5 * 60_000;

export function webhookRetryDelayMs(retry: number): number {
  return Math.min(WEBHOOK_RETRY_INITIAL_MS * 2 ** Math.max(0, retry - 1), WEBHOOK_RETRY_MAX_MS);
}

/** Webhook delivery: Temporal's retry policy is the only retry loop (the seed multiplied a loop by a
 *  policy). Initial 1 s, x2, capped at 5 minutes; attempts come from the subscription.
 *  `attemptsMade`: attempts spent before the run (the inline first attempt); the policy picks the
 *  schedule up after them (the run itself waits the first of its retries), so the subscription's
 *  maxAttempts is the total. */
export function webhookDeliveryOptions(maxAttempts: number, attemptsMade = 0): ActivityOptions {
  return {
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: attemptsMade > 0 ? webhookRetryDelayMs(attemptsMade + 1) : '1 second',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      maximumAttempts: maxAttempts - attemptsMade,
      nonRetryableErrorTypes: [
        'PermanentWebhookError',
        'WebhookGoneError',
        'WebhookSubscriptionInactive',
        'ValidationError',
      ],
    },
  };
}

/** The held-delivery release sweep. Up to a batch of workflow starts fits in the timeout. A run waits
 *  out a database or Temporal outage (backoff capped at 30 s, for up to 15 minutes; the Schedule skips
 *  its runs meanwhile, overlap SKIP) instead of failing after seconds: the fault suite found a
 *  5-second PostgreSQL restart leaving a failed run. Past that window the run fails, visibly, and the
 *  next one picks up whatever it left. */
export const WEBHOOK_RELEASE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '15 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['ValidationError'],
  },
};

/** Bookkeeping after a delivery (database only). */
export const WEBHOOK_BOOKKEEPING_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 50,
  },
};

/** History import bookkeeping and WAHA reads (range, chat list, phases, outcome). WAHA's 4xx answers
 *  and invalid input are final; everything else (WAHA 5xx/429, database outage) retries. */
export const HISTORY_IMPORT_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 20,
    nonRetryableErrorTypes: ['ValidationError', 'WahaPermanentError'],
  },
};

/** Consolidating an import's sessions and replaying its buffered webhooks: batches with a heartbeat
 *  each; a retry continues with what is left (both are idempotent). */
export const HISTORY_IMPORT_LONG_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 50,
    nonRetryableErrorTypes: ['ValidationError'],
  },
};

/** A chat slice heartbeats after every page; a worker that died is noticed within this. */
export const IMPORT_CHAT_HEARTBEAT_TIMEOUT = '20 seconds';
