import { registerAs } from '@nestjs/config';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import {
  ALL_TASK_QUEUES,
  TaskQueue,
  DEFAULT_OUTBOX_PROCESSOR_SETTINGS,
  OutboxProcessorSettings,
  SESSION_CLEANUP_SCHEDULE_ID,
  WEBHOOK_HELD_RELEASE_SCHEDULE_ID,
} from '@app/workflows';
import { parseBooleanEnv, validateConfig } from '@app/shared';

export class WorkerEnv {
  /** Comma-separated task queues this process serves; all by default. */
  @IsOptional()
  @IsString()
  WORKER_TASK_QUEUES?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_HEALTH_PORT: number = 8081;

  /** The Temporal SDK runtime serves its Prometheus metrics (temporal_*) on
   *  TEMPORAL_METRICS_HOST:TEMPORAL_METRICS_PORT, apart from ours on the health port. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  TEMPORAL_METRICS_PORT: number = 9464;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  TEMPORAL_METRICS_HOST: string = '0.0.0.0';

  /** Log level of the Temporal SDK's own logger (worker lifecycle, polling errors). */
  @IsOptional()
  @IsIn(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'])
  TEMPORAL_SDK_LOG_LEVEL: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'WARN';

  /** A prebuilt workflow bundle (production image); otherwise the workflows are bundled at start. */
  @IsOptional()
  @IsString()
  WORKFLOW_BUNDLE_PATH?: string;

  @IsOptional()
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS: number = DEFAULT_OUTBOX_PROCESSOR_SETTINGS.pollIntervalMs;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE: number = DEFAULT_OUTBOX_PROCESSOR_SETTINGS.batchSize;

  @IsOptional()
  @IsInt()
  @Min(1)
  OUTBOX_ITERATIONS_PER_RUN: number = DEFAULT_OUTBOX_PROCESSOR_SETTINGS.iterationsPerRun;

  @IsOptional()
  @IsInt()
  @Min(1)
  OUTBOX_CLEANUP_EVERY_ITERATIONS: number = DEFAULT_OUTBOX_PROCESSOR_SETTINGS.cleanupEveryIterations;

  @IsOptional()
  @IsInt()
  @Min(1)
  OUTBOX_RETENTION_HOURS: number = DEFAULT_OUTBOX_PROCESSOR_SETTINGS.retentionMs / 3_600_000;

  /** Drain pending events in this worker on NOTIFY (low latency). Off: the processor's poll-interval sweep alone. */
  @IsOptional()
  @Transform(({ obj, key }) => parseBooleanEnv(obj[key]))
  @IsBoolean()
  OUTBOX_WAKE_ON_NOTIFY: boolean = true;

  /** How often the session-cleanup Schedule runs SessionCleanupWorkflow. */
  @IsOptional()
  @IsInt()
  @Min(10)
  SESSION_CLEANUP_INTERVAL_SECONDS: number = 300;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  SESSION_CLEANUP_BATCH_SIZE: number = 500;

  /** Id of the session-cleanup Schedule (one per namespace; tests use their own). */
  @IsOptional()
  @IsString()
  SESSION_CLEANUP_SCHEDULE_ID?: string;

  /** How often the webhook-held-release Schedule starts held deliveries: those of endpoints that
   *  recovered, and a probe for a failing endpoint with no run under way. It bounds how long a
   *  recovered endpoint waits for its backlog. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3_600)
  WEBHOOK_HELD_RELEASE_INTERVAL_SECONDS: number = 5;

  /** Held deliveries started per release run at most (a recovered endpoint's backlog is paced by it). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  WEBHOOK_HELD_RELEASE_BATCH_SIZE: number = 500;

  /** Id of the webhook-held-release Schedule (one per namespace; tests use their own). */
  @IsOptional()
  @IsString()
  WEBHOOK_HELD_RELEASE_SCHEDULE_ID?: string;

  /** Wake signals are at least this far apart; NOTIFYs in between are coalesced into one. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  OUTBOX_WAKE_MIN_INTERVAL_MS: number = 50;

  /** Continue as new once a run's history reaches this many events (replays stay cheap). */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(40_000)
  OUTBOX_MAX_HISTORY_EVENTS: number = 2_000;

  /** Activity slots of the webhooks task queue. An attempt mostly waits on the endpoint (up to
   *  WEBHOOK_TIMEOUT_MS, holding no database connection), so slots are cheap; with the SDK default
   *  (100) the retrying attempts to one hanging endpoint soon hold every slot and stall all tenants'
   *  deliveries (see bench:webhooks). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20_000)
  WORKER_WEBHOOK_MAX_CONCURRENT_ACTIVITIES: number = 1_000;

  /** Workflow task slots of the webhooks queue. Healthy deliveries need no workflow (their first
   *  attempt runs inline in the fan-out); the runs are retries, replays and held releases, whose first
   *  task the starter hands over eagerly (in the start response) while a slot is free; past that,
   *  first tasks go through matching, which costs the server more. Eagerly started runs stay on the
   *  worker that fanned them out: lower this to spread bursts of failing deliveries over more pods. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5_000)
  WORKER_WEBHOOK_MAX_CONCURRENT_WORKFLOW_TASKS: number = 1_000;

  /** Workflows of the sessions queue kept in this worker's cache. A session's lifecycle run sleeps
   *  for minutes between wake-ups (lazy deadlines) and its history is short, so one evicted from the
   *  cache costs a quick replay when it wakes; without a bound the SDK keeps thousands of idle runs in
   *  memory (bench:sessions, 10,000 open sessions). */
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(100_000)
  WORKER_SESSIONS_MAX_CACHED_WORKFLOWS: number = 500;

  /** How often the worker checks the outbox processor: starts it again when it is not running
   *  (failed, terminated, completed), reads its state for readiness, and sends it this worker's
   *  OUTBOX_* settings when they differ from the ones it runs with. */
  @IsOptional()
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  OUTBOX_PROCESSOR_ENSURE_INTERVAL_MS: number = 30_000;

  /** `/health/ready` fails once the processor's iterations have been failing (after their activity
   *  retries, ~15 s) for this long. */
  @IsOptional()
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  OUTBOX_PROCESSOR_UNHEALTHY_AFTER_MS: number = 60_000;

  /** Id of the outbox processor workflow (one per namespace; tests use their own). */
  @IsOptional()
  @IsString()
  OUTBOX_PROCESSOR_WORKFLOW_ID?: string;

  /** After SIGTERM, /health/ready answers 503 for this long while the workers keep polling. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_READINESS_DELAY_MS: number = 5_000;

  /** Then polling stops and running activities get this long to finish (Temporal's
   *  shutdownGraceTime) before they are cancelled; detached outbox publishes finish within the same
   *  period. The pod's terminationGracePeriodSeconds must cover this plus the readiness delay. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600_000)
  WORKER_SHUTDOWN_GRACE_MS: number = 30_000;
}

export function parseTaskQueues(raw: string | undefined): TaskQueue[] {
  if (!raw || raw.trim() === '' || raw.trim() === 'all') return [...ALL_TASK_QUEUES];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(ALL_TASK_QUEUES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(
      `Invalid configuration:\n  WORKER_TASK_QUEUES: unknown queue(s) ${unknown.join(', ')}; known: ${ALL_TASK_QUEUES.join(', ')}`,
    );
  }
  return [...new Set(names)] as TaskQueue[];
}

/** A sweep run by a Temporal Schedule: its id, how often, and the batch each run takes. */
export interface SweepSchedule {
  scheduleId: string;
  intervalSeconds: number;
  batchSize: number;
}

export const workerConfig = registerAs('worker', () => {
  const env = validateConfig(WorkerEnv, process.env);
  const outboxProcessor: OutboxProcessorSettings = {
    ...DEFAULT_OUTBOX_PROCESSOR_SETTINGS,
    batchSize: env.OUTBOX_BATCH_SIZE,
    pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
    iterationsPerRun: env.OUTBOX_ITERATIONS_PER_RUN,
    cleanupEveryIterations: env.OUTBOX_CLEANUP_EVERY_ITERATIONS,
    retentionMs: env.OUTBOX_RETENTION_HOURS * 3_600_000,
    maxHistoryEvents: env.OUTBOX_MAX_HISTORY_EVENTS,
  };
  return {
    taskQueues: parseTaskQueues(env.WORKER_TASK_QUEUES),
    healthPort: env.WORKER_HEALTH_PORT,
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
    outboxProcessor,
    outboxProcessorWorkflowId: env.OUTBOX_PROCESSOR_WORKFLOW_ID,
    outboxProcessorSupervision: {
      ensureIntervalMs: env.OUTBOX_PROCESSOR_ENSURE_INTERVAL_MS,
      unhealthyAfterMs: env.OUTBOX_PROCESSOR_UNHEALTHY_AFTER_MS,
    },
    outboxWakeOnNotify: env.OUTBOX_WAKE_ON_NOTIFY,
    outboxWakeMinIntervalMs: env.OUTBOX_WAKE_MIN_INTERVAL_MS,
    webhookMaxConcurrentActivities: env.WORKER_WEBHOOK_MAX_CONCURRENT_ACTIVITIES,
    webhookMaxConcurrentWorkflowTasks: env.WORKER_WEBHOOK_MAX_CONCURRENT_WORKFLOW_TASKS,
    sessionsMaxCachedWorkflows: env.WORKER_SESSIONS_MAX_CACHED_WORKFLOWS,
    shutdown: { readinessDelayMs: env.SHUTDOWN_READINESS_DELAY_MS, graceMs: env.WORKER_SHUTDOWN_GRACE_MS },
    sessionCleanup: {
      intervalSeconds: env.SESSION_CLEANUP_INTERVAL_SECONDS,
      batchSize: env.SESSION_CLEANUP_BATCH_SIZE,
      scheduleId: env.SESSION_CLEANUP_SCHEDULE_ID ?? SESSION_CLEANUP_SCHEDULE_ID,
    },
    webhookHeldRelease: {
      intervalSeconds: env.WEBHOOK_HELD_RELEASE_INTERVAL_SECONDS,
      batchSize: env.WEBHOOK_HELD_RELEASE_BATCH_SIZE,
      scheduleId: env.WEBHOOK_HELD_RELEASE_SCHEDULE_ID ?? WEBHOOK_HELD_RELEASE_SCHEDULE_ID,
    },
  };
});
export type WorkerConfig = ReturnType<typeof workerConfig>;
