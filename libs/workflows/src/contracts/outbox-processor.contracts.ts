import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export interface OutboxProcessorSettings {
  /** Events claimed per activity call. */
  batchSize: number;
  /** Sweep period when no wake signal arrives. */
  pollIntervalMs: number;
  /** Iterations per run before continue-as-new (history stays small). */
  iterationsPerRun: number;
  /** Run CleanupOldEvents every N iterations. */
  cleanupEveryIterations: number;
  /** Published events older than this are deleted by the cleanup. */
  retentionMs: number;
  /** Refresh the outbox counts in the `stats` query every N iterations. */
  metricsEveryIterations: number;
  /** Continue as new once the run's history reaches this many events, whatever the iteration count:
   *  wake signals add events too, and a long history makes every replay (after a failed task or a
   *  worker restart) slow. Optional for runs started before it existed. */
  maxHistoryEvents?: number;
}

export interface OutboxCountsSnapshot {
  pending: number;
  published: number;
  failed: number;
  dead: number;
  oldestPendingAgeMs: number | null;
}

export interface OutboxProcessorStats {
  /** Runs of this workflow id so far, counting continue-as-new. */
  runs: number;
  iterations: number;
  published: number;
  retried: number;
  failed: number;
  deadLettered: number;
  cleanedUp: number;
  wakeSignals: number;
  lastIterationAt: string | null;
  outbox: OutboxCountsSnapshot | null;
  /** Iterations in a row whose activities failed after their retries (e.g. the database is down);
   *  0 once an iteration succeeds. The fields below are absent from runs started before them. */
  consecutiveFailures?: number;
  /** When the current run of failures began (null while healthy): what readiness checks. */
  failingSince?: string | null;
  lastFailureAt?: string | null;
  lastError?: string | null;
  /** Failed iterations in total. */
  activityFailures?: number;
}

/** Answer of the `state` query: the settings the processor runs with, and its stats. */
export interface OutboxProcessorState {
  settings: Required<OutboxProcessorSettings>;
  stats: OutboxProcessorStats;
}

/** Sleep after a failed iteration: initialMs × 2^(failures-1), at most maxMs. */
export const OUTBOX_FAILURE_BACKOFF = { initialMs: 1_000, maxMs: 30_000 } as const;

export function outboxFailureBackoffMs(consecutiveFailures: number): number {
  return Math.min(
    OUTBOX_FAILURE_BACKOFF.initialMs * 2 ** Math.max(0, consecutiveFailures - 1),
    OUTBOX_FAILURE_BACKOFF.maxMs,
  );
}

export interface OutboxProcessorInput {
  settings: OutboxProcessorSettings;
  /** Carried across continue-as-new. */
  stats?: OutboxProcessorStats;
}

export interface RelayBatchInput {
  batchSize: number;
}
export interface RelayBatchResult {
  claimed: number;
  published: number;
  failed: number;
  dead: number;
  /** Still publishing when the batch returned (their outcome is recorded later); absent in results
   *  recorded before detached publishes existed. */
  detached?: number;
}
export interface CleanupInput {
  batchSize: number;
  retentionMs: number;
}

/** Implemented by the injectable OutboxActivities class; the workflow sees only this shape. */
export interface OutboxActivitiesContract {
  processPendingEvents(input: RelayBatchInput): Promise<RelayBatchResult>;
  processFailedEvents(input: RelayBatchInput): Promise<RelayBatchResult>;
  cleanupOldEvents(input: CleanupInput): Promise<{ deleted: number }>;
  getOutboxMetrics(): Promise<OutboxCountsSnapshot>;
}

/** New events were committed: run an iteration now instead of waiting for the poll interval. */
export const wakeSignal = defineSignal('wake');
/** Finish the current iteration and complete. */
export const shutdownSignal = defineSignal('shutdown');
export const outboxStatsQuery = defineQuery<OutboxProcessorStats>('stats');
export const outboxProcessorStateQuery = defineQuery<OutboxProcessorState>('state');
/** Replaces the running processor's settings (validated; an invalid one is rejected naming the
 *  field) from its next iteration on, and carries them across continue-as-new. Answers the settings
 *  now in force. */
export const updateOutboxSettingsUpdate = defineUpdate<Required<OutboxProcessorSettings>, [OutboxProcessorSettings]>(
  'updateSettings',
);

export const DEFAULT_OUTBOX_PROCESSOR_SETTINGS: OutboxProcessorSettings = {
  batchSize: 100,
  pollIntervalMs: 1_000,
  iterationsPerRun: 500,
  cleanupEveryIterations: 600,
  retentionMs: 7 * 24 * 3_600_000,
  metricsEveryIterations: 10,
  maxHistoryEvents: 2_000,
};
