import { Logger } from '@nestjs/common';
import { Client, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import { Counter, Gauge } from 'prom-client';
import {
  type OutboxProcessorSettings,
  type OutboxProcessorStats,
  outboxProcessorStateQuery,
  TaskQueues,
  updateOutboxSettingsUpdate,
} from '@app/workflows';

const processorRestarts = new Counter({
  name: 'crm_outbox_processor_restarts_total',
  help: 'outbox processor runs this worker started because the processor was not running',
});
const processorConsecutiveFailures = new Gauge({
  name: 'crm_outbox_processor_consecutive_failures',
  help: 'failed iterations in a row of the outbox processor, as last observed by this worker',
});

/** What the last check of the singleton processor found. */
export interface OutboxProcessorObservation {
  checkedAt: string;
  /** The run's status as Temporal described it (`RUNNING` after a restart), or `NOT_FOUND`. */
  status: string;
  running: boolean;
  runId: string | null;
  /** Runs this worker started because the processor was not running (failed, terminated, completed). */
  restarts: number;
  /** From the processor's `state` query; the previous answer when this check's query failed. */
  stats: Pick<
    OutboxProcessorStats,
    'iterations' | 'lastIterationAt' | 'consecutiveFailures' | 'failingSince' | 'lastFailureAt' | 'lastError'
  > | null;
  /** Why part of this check failed (start, query or settings update), if it did. */
  checkError?: string;
}

export interface OutboxProcessorReadiness {
  ready: boolean;
  reason?: string;
  state: OutboxProcessorObservation | null;
}

export interface OutboxProcessorSupervision {
  /** How often the worker checks the processor (restart, settings). */
  ensureIntervalMs: number;
  /** Readiness fails once the processor's iterations have been failing this long. */
  unhealthyAfterMs: number;
}

/** Readiness from the last check: not ready while the processor is not running, when no check has
 *  succeeded for three intervals, or when its iterations have failed for `unhealthyAfterMs`. */
export function outboxProcessorReadiness(
  observation: OutboxProcessorObservation | null,
  now: Date,
  rules: OutboxProcessorSupervision,
): OutboxProcessorReadiness {
  const state = observation;
  if (!observation) return { ready: false, reason: 'outbox processor not checked yet', state };
  const staleAfterMs = 3 * rules.ensureIntervalMs;
  if (now.getTime() - Date.parse(observation.checkedAt) > staleAfterMs) {
    return {
      ready: false,
      reason: `outbox processor not checked since ${observation.checkedAt}${observation.checkError ? `: ${observation.checkError}` : ''}`,
      state,
    };
  }
  if (!observation.running) {
    return {
      ready: false,
      reason: `outbox processor not running (${observation.status})${observation.checkError ? `: ${observation.checkError}` : ''}`,
      state,
    };
  }
  const failingSince = observation.stats?.failingSince;
  if (failingSince && now.getTime() - Date.parse(failingSince) >= rules.unhealthyAfterMs) {
    return {
      ready: false,
      reason: `outbox processor failing since ${failingSince}: ${observation.stats?.lastError ?? 'unknown error'}`,
      state,
    };
  }
  return { ready: true, state };
}

const CALL_DEADLINE_MS = 10_000;

/**
 * Keeps the singleton OutboxProcessorWorkflow running: at start and then every `ensureIntervalMs`
 * it describes the processor, starts it again when it is not running, reads its `state` (for
 * readiness) and, when its settings differ from this worker's, sends `updateSettings`. Several
 * workers may do this at once: the start uses the USE_EXISTING conflict policy, so whichever start
 * comes second attaches to the run the first one made, and one processor remains. (During a rolling
 * deploy whose OUTBOX_* settings change, old and new workers may set the settings back and forth until
 * the old ones are gone.)
 */
export class OutboxProcessorSupervisor {
  private readonly logger = new Logger(OutboxProcessorSupervisor.name);
  private timer?: NodeJS.Timeout;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private restarts = 0;
  observation: OutboxProcessorObservation | null = null;

  constructor(
    private readonly client: Client,
    readonly workflowId: string,
    private readonly settings: OutboxProcessorSettings,
    private readonly rules: OutboxProcessorSupervision,
  ) {}

  /** The first check, awaited: a processor that cannot be started fails the worker's start. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.ensure({ throwOnStartFailure: true });
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
  }

  readiness(now = new Date()): OutboxProcessorReadiness {
    return outboxProcessorReadiness(this.observation, now, this.rules);
  }

  /** One check; answers what it found (also kept in `observation`). */
  async ensure({ throwOnStartFailure = false } = {}): Promise<OutboxProcessorObservation> {
    const handle = this.client.workflow.getHandle(this.workflowId);
    const deadline = () => Date.now() + CALL_DEADLINE_MS;
    const checkErrors: string[] = [];
    let status: string;
    let runId: string | null = null;
    try {
      const described = await this.client.connection.withDeadline(deadline(), () => handle.describe());
      status = described.status.name;
      runId = described.runId;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError))
        return this.observe({
          status: 'UNKNOWN',
          running: false,
          runId: null,
          checkError: `describe: ${message(err)}`,
        });
      status = 'NOT_FOUND';
    }

    if (status !== 'RUNNING') {
      try {
        const started = await this.client.connection.withDeadline(deadline(), () =>
          this.client.workflow.start('OutboxProcessorWorkflow', {
            workflowId: this.workflowId,
            taskQueue: TaskQueues.outbox,
            args: [{ settings: this.settings }],
            // A closed run may be followed by a new one; a run another worker just started is kept.
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          }),
        );
        if (status !== 'NOT_FOUND') {
          this.restarts += 1;
          processorRestarts.inc();
          this.logger.warn(
            { workflowId: this.workflowId, previousStatus: status, runId: started.firstExecutionRunId },
            'outbox processor was not running; started it again',
          );
        }
        runId = started.firstExecutionRunId;
        status = 'RUNNING';
      } catch (err) {
        if (throwOnStartFailure) throw err;
        return this.observe({ status, running: false, runId, checkError: `start: ${message(err)}` });
      }
    }

    let stats = this.observation?.runId === runId ? this.observation.stats : null;
    try {
      const state = await this.client.connection.withDeadline(deadline(), () =>
        handle.query(outboxProcessorStateQuery),
      );
      stats = pickStats(state.stats);
      processorConsecutiveFailures.set(stats.consecutiveFailures ?? 0);
      const differing = differingSettings(state.settings, this.settings);
      if (differing.length > 0) {
        await this.client.connection.withDeadline(deadline(), () =>
          handle.executeUpdate(updateOutboxSettingsUpdate, { args: [this.settings] }),
        );
        this.logger.log(
          { workflowId: this.workflowId, settings: differing },
          "outbox processor settings updated to this worker's",
        );
      }
    } catch (err) {
      checkErrors.push(`state: ${message(err)}`);
    }
    return this.observe({ status, running: true, runId, stats, checkError: checkErrors.join('; ') || undefined });
  }

  private observe(
    found: Omit<OutboxProcessorObservation, 'checkedAt' | 'restarts' | 'stats'> & {
      stats?: OutboxProcessorObservation['stats'];
    },
  ): OutboxProcessorObservation {
    const observation: OutboxProcessorObservation = {
      checkedAt: new Date().toISOString(),
      restarts: this.restarts,
      ...found,
      stats: found.stats ?? this.observation?.stats ?? null,
    };
    if (observation.checkError)
      this.logger.warn(
        { workflowId: this.workflowId, error: observation.checkError },
        'outbox processor check incomplete',
      );
    this.observation = observation;
    return observation;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.ensure()
        .then(() => undefined)
        .catch((err: unknown) => this.logger.warn({ err: message(err) }, 'outbox processor check failed'))
        .finally(() => {
          this.ticking = null;
          this.schedule();
        });
    }, this.rules.ensureIntervalMs);
    this.timer.unref();
  }
}

function pickStats(stats: OutboxProcessorStats): NonNullable<OutboxProcessorObservation['stats']> {
  return {
    iterations: stats.iterations,
    lastIterationAt: stats.lastIterationAt,
    consecutiveFailures: stats.consecutiveFailures ?? 0,
    failingSince: stats.failingSince ?? null,
    lastFailureAt: stats.lastFailureAt ?? null,
    lastError: stats.lastError ?? null,
  };
}

/** Names of the settings whose running value differs from the wanted one. */
export function differingSettings(
  running: Partial<OutboxProcessorSettings>,
  wanted: OutboxProcessorSettings,
): string[] {
  return (Object.keys(wanted) as (keyof OutboxProcessorSettings)[]).filter(
    (key) => wanted[key] !== undefined && running[key] !== wanted[key],
  );
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
