import { FaultSystem } from './support/fault-system';
import { listWorkflows } from './support/checks';
import { comparable, runLoadCase } from './support/load-case';
import { type ManagedProcess, sleep, waitFor } from './support/managed-process';
import { faultProfile } from './support/profile';
import { WebhookCounter } from './support/webhook-counter';

/**
 * SIGTERM, as Kubernetes sends it on a rollout or a scale-in, to the api and the worker in the middle
 * of the inbound load (saga mode, so every step is a worker activity; a slow tenant webhook keeps the
 * in-process outbox relay busy). Each process must: answer 503 on /health/ready first and keep
 * serving for the readiness delay, then stop taking work, finish what it had (requests, activities,
 * outbox publishes), and exit 0. Started again, the system owes nothing: every message answered 2xx
 * stored once, every event delivered once, and no activity ran twice because of the shutdown.
 */
const profile = faultProfile();
const READINESS_DELAY_MS = 1_500;
const WORKER_GRACE_MS = 20_000;
/** temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE: a task a worker took and never finished. */
const TIMEOUT_TYPE_START_TO_CLOSE = 1;

interface Watch {
  sigtermAt: number;
  /** First /health/ready answer that was not 200, and its status. */
  notReadyAt?: number;
  notReadyStatus?: number | string;
  /** Last 200 from /health/ready, and the first refused connection (no longer accepting). */
  lastReadyAt?: number;
  refusedAt?: number;
}

/** Polls the api's readiness every 20 ms from the SIGTERM on, until a connection is refused. */
async function watchApi(url: string, watch: Watch, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (watch.refusedAt === undefined && Date.now() < deadline) {
    const status = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      async (res) => (await res.arrayBuffer(), res.status),
      (err: Error) => `network: ${(err.cause as Error | undefined)?.message ?? err.message}`,
    );
    const now = Date.now();
    if (status === 200) watch.lastReadyAt = now;
    else if (typeof status === 'number') {
      watch.notReadyAt ??= now;
      watch.notReadyStatus ??= status;
    } else {
      watch.refusedAt = now;
      watch.notReadyStatus ??= status;
    }
    await sleep(20);
  }
}

async function timedStop(process: ManagedProcess, graceMs: number): Promise<{ exit: string; ms: number }> {
  const startedAt = Date.now();
  const exit = await process.stop('SIGTERM', graceMs);
  return { exit: exit?.signal ? `signal ${exit.signal}` : `code ${exit?.code}`, ms: Date.now() - startedAt };
}

interface HistoryFindings {
  workflows: number;
  activities: number;
  retried: string[];
  /** Workflow tasks the SIGTERMed worker took while still polling and never completed. */
  abandonedWorkflowTasks: string[];
  /** Workflow tasks dispatched to it as its polling stopped (the long-poll race), which timed out. */
  takenAsPollingStopped: string[];
  /** The same, on other workers (the restarted one, under the machine's load). */
  otherLostWorkflowTasks: string[];
  completedByOldWorkerAfterSigterm: number;
  runningWhenPollingStopped: number;
}

/** Reads the history of every workflow started since `since` and sorts out what the shutdown did. */
async function inspectHistories(
  system: FaultSystem,
  since: Date,
  oldWorkerPid: number,
  sigtermAt: number,
  pollingStoppedAt: number,
): Promise<HistoryFindings> {
  const ids = (await listWorkflows(system, `StartTime >= "${since.toISOString()}"`)).map(
    (entry) => entry.split(' ')[1]!,
  );
  const found: HistoryFindings = {
    workflows: ids.length,
    activities: 0,
    retried: [],
    abandonedWorkflowTasks: [],
    takenAsPollingStopped: [],
    otherLostWorkflowTasks: [],
    completedByOldWorkerAfterSigterm: 0,
    runningWhenPollingStopped: 0,
  };
  const byOldWorker = (identity: string | null | undefined) => (identity ?? '').startsWith(`${oldWorkerPid}@`);
  const count = (startedAt: number, completedAt: number) => {
    if (completedAt <= sigtermAt) return;
    found.completedByOldWorkerAfterSigterm++;
    if (startedAt < pollingStoppedAt && completedAt > pollingStoppedAt) found.runningWhenPollingStopped++;
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ids.length) {
        const workflowId = ids[next++]!;
        const history = await system.temporalClient.workflow.getHandle(workflowId).fetchHistory();
        const events = new Map((history.events ?? []).map((e) => [String(e.eventId), e]));
        const activityStarts = new Map<string, { attempt: number; identity: string; at: number }>();
        for (const event of history.events ?? []) {
          const started = event.activityTaskStartedEventAttributes;
          if (started) {
            found.activities++;
            activityStarts.set(String(event.eventId), {
              attempt: started.attempt ?? 1,
              identity: started.identity ?? '',
              at: ms(event.eventTime),
            });
            if ((started.attempt ?? 1) > 1)
              found.retried.push(`${workflowId} attempt ${started.attempt}: ${started.lastFailure?.message ?? ''}`);
          }
          const completed = event.activityTaskCompletedEventAttributes;
          const start = completed ? activityStarts.get(String(completed.startedEventId)) : undefined;
          if (start && byOldWorker(start.identity)) count(start.at, ms(event.eventTime));

          const marker = event.markerRecordedEventAttributes;
          if (marker?.markerName === 'core_local_activity') {
            found.activities++;
            const data = JSON.parse(Buffer.from(marker.details?.data?.payloads?.[0]?.data ?? []).toString('utf8')) as {
              attempt: number;
              activity_type: string;
            };
            if (data.attempt > 1)
              found.retried.push(`${workflowId} local ${data.activity_type} attempt ${data.attempt}`);
            // A local activity runs inside the workflow task that records it.
            const task = events.get(String(marker.workflowTaskCompletedEventId));
            const taskStarted = events.get(String(task?.workflowTaskCompletedEventAttributes?.startedEventId));
            if (byOldWorker(task?.workflowTaskCompletedEventAttributes?.identity))
              count(ms(taskStarted?.eventTime), ms(task?.eventTime));
          }
          // Which worker took the task, and when (relative to the SIGTERM), tells load from shutdown.
          // A task the SIGTERMed worker took while it was still polling and never completed is one the
          // shutdown abandoned. One the server handed to a long poll the worker was cancelling (taken as
          // polling stopped) never reached it: the SDK cannot finish it, the server gives it to the next
          // worker after the task timeout. One another worker let time out is the machine's load.
          const lostTask = (startedEventId: unknown, what: string) => {
            const started = events.get(String(startedEventId));
            const identity = started?.workflowTaskStartedEventAttributes?.identity ?? '';
            const takenAt = ms(started?.eventTime);
            const line = `${workflowId}: workflow task ${what} (taken by ${identity} at SIGTERM${signed(takenAt - sigtermAt)} ms, ended at SIGTERM${signed(ms(event.eventTime) - sigtermAt)} ms)`;
            if (!byOldWorker(identity)) found.otherLostWorkflowTasks.push(line);
            else if (takenAt < pollingStoppedAt) found.abandonedWorkflowTasks.push(line);
            else found.takenAsPollingStopped.push(line);
          };
          const timedOut = event.workflowTaskTimedOutEventAttributes;
          if (timedOut && timedOut.timeoutType === TIMEOUT_TYPE_START_TO_CLOSE)
            lostTask(timedOut.startedEventId, 'timed out');
          const failed = event.workflowTaskFailedEventAttributes;
          if (failed) lostTask(failed.startedEventId, `failed: ${failed.failure?.message ?? ''}`);
        }
      }
    }),
  );
  return found;
}

const signed = (n: number) => (n < 0 ? `${n}` : `+${n}`);

function ms(timestamp: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return timestamp ? Number(String(timestamp.seconds ?? 0)) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6) : 0;
}

describe(`graceful shutdown (SIGTERM) of the api and the worker under load (${profile.name})`, () => {
  let system: FaultSystem;
  let receiver: WebhookCounter;

  beforeAll(async () => {
    system = await FaultSystem.start({
      env: {
        SHUTDOWN_READINESS_DELAY_MS: String(READINESS_DELAY_MS),
        SHUTDOWN_DRAIN_TIMEOUT_MS: '15000',
        WORKER_SHUTDOWN_GRACE_MS: String(WORKER_GRACE_MS),
      },
    });
    // Slower than OUTBOX_PUBLISH_WAIT_MS: publishes outlive their batch and finish detached, which
    // the worker must wait for on shutdown.
    receiver = await WebhookCounter.start({ delayMs: 400 });
    const res = await system.call('POST', '/v1/webhook-subscriptions', {
      url: receiver.url,
      eventTypes: ['message.created'],
    });
    if (res.status !== 201) throw new Error(`subscription failed: ${res.status} ${JSON.stringify(res.body)}`);
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  }, 120_000);

  it('readiness goes first, in-flight work finishes, both exit 0, and nothing accepted is lost or repeated', async () => {
    const channel = await system.createChannel('saga');
    const api = system.apis[0]!;
    const worker = system.worker;
    const watch: Watch = { sigtermAt: 0 };
    let oldWorkerPid = 0;
    let stops: { api: { exit: string; ms: number }; worker: { exit: string; ms: number } } | undefined;

    const sigtermBoth = async () => {
      oldWorkerPid = worker.pid!;
      watch.sigtermAt = Date.now();
      const watching = watchApi(system.apiUrls[0]!, watch, 60_000);
      // Each process is started again as soon as it is gone, like a Deployment's new pod.
      const [apiStop, workerStop] = await Promise.all([
        timedStop(api, 60_000).then(async (stop) => (await watching, await api.start(), stop)),
        timedStop(worker, WORKER_GRACE_MS + 30_000).then(async (stop) => (await worker.start(), stop)),
      ]);
      stops = { api: apiStop, worker: workerStop };
    };
    const result = await runLoadCase({
      title: 'Graceful shutdown',
      system,
      channel,
      phonePrefix: '551193',
      profile,
      fault: sigtermBoth,
    });

    // Every message.created event reached the receiver exactly once.
    const events = async () =>
      (await system.query<{ id: string }>(`SELECT id FROM outbox_events WHERE type = 'message.created'`)).map(
        (r) => r.id,
      );
    const undelivered = await waitFor(
      'every message.created event at the webhook receiver',
      profile.recoveryDeadlineMs,
      async () => {
        const missing = (await events()).filter((id) => !receiver.deliveries.has(id));
        return missing.length === 0 ? missing : undefined;
      },
      async () => `events: ${(await events()).length}, delivered: ${receiver.deliveries.size}`,
    ).catch((err: Error) => err.message);

    // Activity attempts in every workflow of the case (remote activities: ActivityTaskStarted; the
    // saga's local ones: their markers): a shutdown that cut one shows as a second attempt, one that
    // abandoned a workflow task as a start-to-close timeout. Those the old worker completed after its
    // SIGTERM are the work it drained.
    const shutdown = await inspectHistories(
      system,
      new Date(watch.sigtermAt - 120_000),
      oldWorkerPid,
      watch.sigtermAt,
      watch.sigtermAt + READINESS_DELAY_MS,
    );
    const retried = shutdown.retried.slice(0, 5);

    const attempts = result.load.attemptLog;
    const inFlightAtSigterm = attempts.filter((a) => a.startedAt < watch.sigtermAt && a.endedAt > watch.sigtermAt);
    const acceptedDuringReadinessDelay = attempts.filter(
      (a) =>
        typeof a.status === 'number' &&
        a.status < 300 &&
        a.endedAt > (watch.notReadyAt ?? Infinity) &&
        a.endedAt < (watch.refusedAt ?? 0),
    ).length;
    const receipts = [...receiver.deliveries.values()].reduce((sum, n) => sum + n, 0);
    const figures = {
      'messages sent': result.load.messages.length,
      'messages accepted (answered 2xx)': result.figures['messages answered 2xx'],
      'messages stored': result.figures['distinct messages stored'],
      'api: SIGTERM -> /health/ready not 200 (ms)':
        watch.notReadyAt !== undefined ? watch.notReadyAt - watch.sigtermAt : 'never',
      'api: first not-ready answer': watch.notReadyStatus ?? 'none',
      'api: SIGTERM -> connection refused (ms)':
        watch.refusedAt !== undefined ? watch.refusedAt - watch.sigtermAt : 'never seen',
      'api: requests answered 2xx between 503 and refusal': acceptedDuringReadinessDelay,
      'api: requests in flight at SIGTERM': inFlightAtSigterm.length,
      'api: of those, without an HTTP answer': inFlightAtSigterm.filter((a) => a.status === 'network').length,
      'api: requests answered after it stopped accepting (drained)': attempts.filter(
        (a) =>
          typeof a.status === 'number' &&
          a.startedAt < (watch.refusedAt ?? 0) &&
          a.endedAt > (watch.refusedAt ?? Infinity),
      ).length,
      'api: SIGTERM -> exit (ms)': stops?.api.ms,
      'api: exit': stops?.api.exit,
      'worker: SIGTERM -> exit (ms)': stops?.worker.ms,
      'worker: exit': stops?.worker.exit,
      'workflows inspected': shutdown.workflows,
      'activities in their histories (local + remote)': shutdown.activities,
      'activities the old worker completed after SIGTERM': shutdown.completedByOldWorkerAfterSigterm,
      'of those, running when polling stopped': shutdown.runningWhenPollingStopped,
      'activity attempts > 1': shutdown.retried.length,
      'workflow tasks the old worker took while polling, never completed': shutdown.abandonedWorkflowTasks.length,
      'workflow tasks dispatched as its polling stopped, timed out': shutdown.takenAsPollingStopped.length,
      'workflow tasks timed out or failed on other workers': shutdown.otherLostWorkflowTasks.length,
      'message.created events': (await events()).length,
      'webhook receipts': receipts,
      'events received more than once': receiver.repeated().length,
    };
    console.log(
      `Graceful shutdown figures:\n${Object.entries(figures)
        .map(([k, v]) => `  ${k.padEnd(56)} ${v}`)
        .join('\n')}` +
        (retried.length ? `\n  retried: ${retried.join(' | ')}` : '') +
        ([...shutdown.abandonedWorkflowTasks, ...shutdown.takenAsPollingStopped, ...shutdown.otherLostWorkflowTasks]
          .length
          ? `\n  workflow tasks:\n    ${[...shutdown.abandonedWorkflowTasks, ...shutdown.takenAsPollingStopped, ...shutdown.otherLostWorkflowTasks].slice(0, 20).join('\n    ')}`
          : ''),
    );
    // Not asserted (yet): under heavy load the SIGTERMed worker can exit with workflow tasks it took
    // and never completed (docs/operations.md, "Known limits"); they time out and the next worker
    // runs them. Nothing is lost or doubled (asserted above and below), but each costs 10 s.
    if (shutdown.abandonedWorkflowTasks.length > 0)
      console.warn(
        `the SIGTERMed worker left ${shutdown.abandonedWorkflowTasks.length} workflow task(s) it took while polling`,
      );
    if (stops?.api.exit !== 'code 0' || stops?.worker.exit !== 'code 0')
      console.log(`process output (tail):\n${system.output()}`);

    const { actual, expected } = comparable(result);
    expect(actual).toEqual(expected);
    expect({
      apiExit: stops?.api.exit,
      workerExit: stops?.worker.exit,
      notReadyStatus: watch.notReadyStatus,
      readinessBeforeRefusal:
        watch.notReadyAt !== undefined && watch.refusedAt !== undefined && watch.notReadyAt < watch.refusedAt,
      servedDuringReadinessDelay: acceptedDuringReadinessDelay > 0,
      inFlightAtSigtermUnanswered: inFlightAtSigterm.filter((a) => a.status === 'network').length,
      workerDrainedActivities: shutdown.completedByOldWorkerAfterSigterm > 0,
      retried,
      undelivered,
      repeated: receiver.repeated(),
    }).toEqual({
      apiExit: 'code 0',
      workerExit: 'code 0',
      notReadyStatus: 503,
      readinessBeforeRefusal: true,
      servedDuringReadinessDelay: true,
      inFlightAtSigtermUnanswered: 0,
      workerDrainedActivities: true,
      retried: [],
      undelivered: [],
      repeated: [],
    });
  });
});
