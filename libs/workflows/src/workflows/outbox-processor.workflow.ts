import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  type OutboxActivitiesContract,
  type OutboxProcessorInput,
  type OutboxProcessorSettings,
  type OutboxProcessorStats,
  type RelayBatchResult,
  outboxFailureBackoffMs,
  outboxProcessorStateQuery,
  outboxStatsQuery,
  shutdownSignal,
  updateOutboxSettingsUpdate,
  wakeSignal,
} from '../contracts/outbox-processor.contracts';
import { OUTBOX_ACTIVITY_OPTIONS } from '../contracts/retry-policies';
import { invalidInput, requireInt } from '../contracts/validation';

const activities = proxyActivities<OutboxActivitiesContract>(OUTBOX_ACTIVITY_OPTIONS);

/** Since this patch an iteration whose activities run out of retries (the database is down) is
 *  recorded in the stats and followed by a growing sleep instead of failing the run; runs recorded
 *  before it fail as they did on replay. */
const SURVIVE_ACTIVITY_FAILURES_PATCH = 'outbox-survives-activity-failures';

/** The durable sweep of the transactional outbox: publish pending events, retry failed ones whose
 *  backoff elapsed, clean up old published ones, sleep until the poll interval passes or a `wake`
 *  signal arrives. An iteration that fails backs off (1 s doubling to 30 s) and the sweep goes on.
 *  Continues as new every `iterationsPerRun` iterations (or when the server suggests it), carrying
 *  its settings and stats, so its history never grows without bound. */
export async function OutboxProcessorWorkflow(input: OutboxProcessorInput): Promise<OutboxProcessorStats> {
  let settings = validateSettings(input?.settings);
  const stats: OutboxProcessorStats = input.stats
    ? { ...input.stats, runs: input.stats.runs + 1 }
    : {
        runs: 1,
        iterations: 0,
        published: 0,
        retried: 0,
        failed: 0,
        deadLettered: 0,
        cleanedUp: 0,
        wakeSignals: 0,
        lastIterationAt: null,
        outbox: null,
      };

  let wakeRequested = false;
  let shutdownRequested = false;
  setHandler(wakeSignal, () => {
    wakeRequested = true;
    stats.wakeSignals += 1;
  });
  setHandler(shutdownSignal, () => {
    shutdownRequested = true;
  });
  setHandler(outboxStatsQuery, () => stats);
  setHandler(outboxProcessorStateQuery, () => ({ settings, stats }));
  setHandler(
    updateOutboxSettingsUpdate,
    (next) => {
      settings = validateSettings(next);
      // Run an iteration under the new settings now, not after a sleep the old ones chose.
      wakeRequested = true;
      return settings;
    },
    { validator: (next) => void validateSettings(next) },
  );

  for (let iterationInRun = 1; ; iterationInRun++) {
    wakeRequested = false;
    let moreWaiting = false;
    let backoffMs = 0;
    if (patched(SURVIVE_ACTIVITY_FAILURES_PATCH)) {
      try {
        moreWaiting = await iterate(settings, stats);
        stats.consecutiveFailures = 0;
        stats.failingSince = null;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        backoffMs = recordFailure(stats, err);
      }
    } else {
      moreWaiting = await iterate(settings, stats);
    }

    if (shutdownRequested) return finish(stats);
    const info = workflowInfo();
    if (
      iterationInRun >= settings.iterationsPerRun ||
      info.continueAsNewSuggested ||
      info.historyLength >= settings.maxHistoryEvents
    ) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof OutboxProcessorWorkflow>({ settings, stats });
    }
    // After a failure wakes do not cut the sleep short: the database is not back because of them.
    if (backoffMs > 0) await condition(() => shutdownRequested, backoffMs);
    // A full batch means more is probably waiting: go again at once instead of sleeping.
    else if (!moreWaiting) await condition(() => wakeRequested || shutdownRequested, settings.pollIntervalMs);
    if (shutdownRequested) return finish(stats);
  }
}

/** One sweep; answers whether a batch came back full (more is probably waiting). */
async function iterate(settings: Required<OutboxProcessorSettings>, stats: OutboxProcessorStats): Promise<boolean> {
  const pending = await activities.processPendingEvents({ batchSize: settings.batchSize });
  const retried = await activities.processFailedEvents({ batchSize: settings.batchSize });
  record(stats, pending, retried);

  if (stats.iterations % settings.cleanupEveryIterations === 0) {
    const { deleted } = await activities.cleanupOldEvents({
      batchSize: settings.batchSize,
      retentionMs: settings.retentionMs,
    });
    stats.cleanedUp += deleted;
  }
  if (stats.iterations % settings.metricsEveryIterations === 0 || stats.outbox === null) {
    stats.outbox = await activities.getOutboxMetrics();
  }
  return pending.claimed >= settings.batchSize || retried.claimed >= settings.batchSize;
}

function record(stats: OutboxProcessorStats, pending: RelayBatchResult, retried: RelayBatchResult): void {
  stats.iterations += 1;
  stats.published += pending.published + retried.published;
  stats.retried += retried.published;
  stats.failed += pending.failed + retried.failed;
  stats.deadLettered += pending.dead + retried.dead;
  stats.lastIterationAt = new Date().toISOString();
}

/** Records a failed iteration and answers how long to sleep before the next one. */
function recordFailure(stats: OutboxProcessorStats, err: ActivityFailure): number {
  const now = new Date().toISOString();
  stats.consecutiveFailures = (stats.consecutiveFailures ?? 0) + 1;
  stats.activityFailures = (stats.activityFailures ?? 0) + 1;
  stats.failingSince = stats.failingSince ?? now;
  stats.lastFailureAt = now;
  stats.lastError = `${err.activityType ?? 'activity'}: ${err.cause?.message ?? err.message}`.slice(0, 500);
  return outboxFailureBackoffMs(stats.consecutiveFailures);
}

async function finish(stats: OutboxProcessorStats): Promise<OutboxProcessorStats> {
  await condition(allHandlersFinished);
  return stats;
}

function validateSettings(settings: OutboxProcessorSettings | undefined): Required<OutboxProcessorSettings> {
  if (!settings || typeof settings !== 'object') throw invalidInput('settings', 'is required');
  return {
    batchSize: requireInt(settings.batchSize, 'settings.batchSize', 1, 10_000),
    pollIntervalMs: requireInt(settings.pollIntervalMs, 'settings.pollIntervalMs', 10),
    iterationsPerRun: requireInt(settings.iterationsPerRun, 'settings.iterationsPerRun', 1),
    cleanupEveryIterations: requireInt(settings.cleanupEveryIterations, 'settings.cleanupEveryIterations', 1),
    retentionMs: requireInt(settings.retentionMs, 'settings.retentionMs', 0),
    metricsEveryIterations: requireInt(settings.metricsEveryIterations, 'settings.metricsEveryIterations', 1),
    maxHistoryEvents:
      settings.maxHistoryEvents === undefined
        ? 10_000
        : requireInt(settings.maxHistoryEvents, 'settings.maxHistoryEvents', 100),
  };
}
