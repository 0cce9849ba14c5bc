import {
  allHandlersFinished,
  condition,
  continueAsNew,
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
  outboxStatsQuery,
  shutdownSignal,
  wakeSignal,
} from '../contracts/outbox-processor.contracts';
import { OUTBOX_ACTIVITY_OPTIONS } from '../contracts/retry-policies';
import { invalidInput, requireInt } from '../contracts/validation';

const activities = proxyActivities<OutboxActivitiesContract>(OUTBOX_ACTIVITY_OPTIONS);

/** The durable sweep of the transactional outbox: publish pending events, retry failed ones whose
 *  backoff elapsed, clean up old published ones, sleep until the poll interval passes or a `wake`
 *  signal arrives. Continues as new every `iterationsPerRun` iterations (or when the server suggests
 *  it), carrying its stats, so its history never grows without bound. */
export async function OutboxProcessorWorkflow(input: OutboxProcessorInput): Promise<OutboxProcessorStats> {
  const settings = validateSettings(input?.settings);
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

  for (let iterationInRun = 1; ; iterationInRun++) {
    wakeRequested = false;
    const pending = await activities.processPendingEvents({ batchSize: settings.batchSize });
    const retried = await activities.processFailedEvents({ batchSize: settings.batchSize });
    record(stats, pending, retried);

    if (stats.iterations % settings.cleanupEveryIterations === 0) {
      const { deleted } = await activities.cleanupOldEvents({ batchSize: settings.batchSize, retentionMs: settings.retentionMs });
      stats.cleanedUp += deleted;
    }
    if (stats.iterations % settings.metricsEveryIterations === 0 || stats.outbox === null) {
      stats.outbox = await activities.getOutboxMetrics();
    }

    if (shutdownRequested) return finish(stats);
    const info = workflowInfo();
    if (iterationInRun >= settings.iterationsPerRun || info.continueAsNewSuggested || info.historyLength >= settings.maxHistoryEvents) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof OutboxProcessorWorkflow>({ settings, stats });
    }
    // A full batch means more is probably waiting: go again at once instead of sleeping.
    const moreWaiting = pending.claimed >= settings.batchSize || retried.claimed >= settings.batchSize;
    if (!moreWaiting) await condition(() => wakeRequested || shutdownRequested, settings.pollIntervalMs);
    if (shutdownRequested) return finish(stats);
  }
}

function record(stats: OutboxProcessorStats, pending: RelayBatchResult, retried: RelayBatchResult): void {
  stats.iterations += 1;
  stats.published += pending.published + retried.published;
  stats.retried += retried.published;
  stats.failed += pending.failed + retried.failed;
  stats.deadLettered += pending.dead + retried.dead;
  stats.lastIterationAt = new Date().toISOString();
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
    maxHistoryEvents: settings.maxHistoryEvents === undefined ? 10_000 : requireInt(settings.maxHistoryEvents, 'settings.maxHistoryEvents', 100),
  };
}
