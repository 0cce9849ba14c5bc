import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Client, Connection, WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import {
  closeSessionUpdate,
  type EndSessionOutcome,
  type SessionEndReason,
  type SessionLifecycleActivitiesContract,
  type SessionLifecycleInput,
  type SendTimeoutWarningInput,
  type SendTimeoutWarningResult,
  sessionActivitySignal,
  sessionPolicyChangedSignal,
  sessionStateQuery,
  type SessionTimes,
} from '@app/workflows';
import { TestEnv } from '../../support/test-env';
import { eventually } from '../../support/nest';
import { SessionLifecycleWorkflow } from '../../../libs/workflows/src/workflows/session-lifecycle.workflow';

/** The lifecycle workflow on the real dev server with short durations. Its activities are typed
 *  in-memory recorders over an in-memory "sessions table" here (the real ones are covered with
 *  Postgres in the conversation suites): what is under test is the timing logic. */
class RecordingSessionActivities implements SessionLifecycleActivitiesContract {
  readonly calls: {
    name: string;
    at: number;
    sessionId: string;
    reason?: SessionEndReason;
    deadlineAt?: string;
    messageRawId?: string;
  }[] = [];
  /** Wake-up reads (readSessionTimes), by session id. */
  readonly reads = new Map<string, number>();
  /** The sessions as the database holds them: activity is written here, never signalled (lazy deadlines). */
  readonly table = new Map<
    string,
    {
      lastActivityAt: string;
      timeoutSeconds: number;
      warningLeadSeconds: number | null;
      status: 'active' | 'ended';
      endReason: SessionEndReason | null;
    }
  >();
  /** Called when a warning is "sent": lets a test deliver the message.any echo of the warning. */
  onWarning: (externalId: string) => Promise<void> = async () => undefined;
  /** Later activity the "database" gets between the wake-up read and the end, by session id. */
  readonly dbLastActivityAt = new Map<string, string>();

  /** How the warning of a session goes wrong, by session id: WAHA refuses it, or it never answers. */
  readonly warningFault = new Map<string, 'refused' | 'hangs'>();
  /** Later activity the "database" gets between the wake-up read and the warning, by session id. */
  readonly dbActivityBeforeWarning = new Map<string, string>();

  /** A customer message: what the inbound path writes (no signal). */
  touch(sessionId: string, at: Date): void {
    const row = this.table.get(sessionId)!;
    if (at.getTime() > Date.parse(row.lastActivityAt)) row.lastActivityAt = at.toISOString();
  }

  async readSessionTimes(input: { tenantId: string; sessionId: string }): Promise<SessionTimes> {
    this.reads.set(input.sessionId, (this.reads.get(input.sessionId) ?? 0) + 1);
    const row = this.table.get(input.sessionId);
    if (!row)
      return {
        status: 'missing',
        lastActivityAt: new Date(0).toISOString(),
        timeoutSeconds: 1,
        warningLeadSeconds: null,
        endReason: null,
        endedAt: null,
      };
    return { ...row, endedAt: row.status === 'ended' ? new Date().toISOString() : null };
  }

  async sendSessionTimeoutWarning(input: SendTimeoutWarningInput): Promise<SendTimeoutWarningResult> {
    const externalId = `true_5511999990001@c.us_WARN${this.calls.length}`;
    const later = this.dbActivityBeforeWarning.get(input.sessionId);
    if (later) {
      this.dbActivityBeforeWarning.delete(input.sessionId);
      this.touch(input.sessionId, new Date(later));
      this.calls.push({ name: 'warning-skipped', at: Date.now(), sessionId: input.sessionId });
      return { sent: false, externalId: null, reason: 'later activity', laterActivityAt: later };
    }
    this.calls.push({ name: 'warning', at: Date.now(), sessionId: input.sessionId, messageRawId: input.messageRawId });
    const fault = this.warningFault.get(input.sessionId);
    if (fault === 'refused')
      throw ApplicationFailure.nonRetryable('WAHA POST /api/sendText answered 404', 'WahaPermanentError');
    if (fault === 'hangs') await new Promise((resolve) => setTimeout(resolve, 8_000));
    await this.onWarning(externalId);
    return { sent: true, externalId, reason: null };
  }

  async recordTimeoutWarningFailed(input: { tenantId: string; sessionId: string; messageRawId: string }) {
    this.calls.push({
      name: 'warning-failed',
      at: Date.now(),
      sessionId: input.sessionId,
      messageRawId: input.messageRawId,
    });
    return { marked: true };
  }

  async endSessionDueToTimeout(input: {
    tenantId: string;
    sessionId: string;
    deadlineAt: string;
  }): Promise<EndSessionOutcome> {
    const later = this.dbLastActivityAt.get(input.sessionId);
    if (later) {
      this.dbLastActivityAt.delete(input.sessionId);
      this.touch(input.sessionId, new Date(later));
      this.calls.push({ name: 'deferred', at: Date.now(), sessionId: input.sessionId });
      return { ended: false, status: 'active', endReason: null, endedAt: null, lastActivityAt: later };
    }
    return this.end(input.sessionId, 'inactivity', input.deadlineAt);
  }

  async endSession(input: { tenantId: string; sessionId: string; reason: SessionEndReason }) {
    return this.end(input.sessionId, input.reason);
  }

  private end(sessionId: string, reason: SessionEndReason, deadlineAt?: string): EndSessionOutcome {
    const already = this.calls.some((c) => c.name === 'end' && c.sessionId === sessionId);
    const row = this.table.get(sessionId);
    if (row) Object.assign(row, { status: 'ended', endReason: row.endReason ?? reason });
    this.calls.push({ name: 'end', at: Date.now(), sessionId, reason, deadlineAt });
    return {
      ended: !already,
      status: 'ended',
      endReason: reason,
      endedAt: new Date().toISOString(),
      lastActivityAt: null,
    };
  }

  count(name: string): number {
    return this.calls.filter((c) => c.name === name).length;
  }
}

describe('SessionLifecycleWorkflow (real Temporal dev server)', () => {
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  const activities = new RecordingSessionActivities();
  const taskQueue = `sessions-test-${randomUUID()}`;

  const start = (
    overrides: Partial<SessionLifecycleInput> = {},
  ): Promise<WorkflowHandle<typeof SessionLifecycleWorkflow>> => {
    const sessionId = randomUUID();
    const input: SessionLifecycleInput = {
      tenantId: randomUUID(),
      sessionId,
      lastActivityAt: new Date().toISOString(),
      timeoutSeconds: 2,
      warningLeadSeconds: null,
      ...overrides,
    };
    activities.table.set(sessionId, {
      lastActivityAt: input.lastActivityAt,
      timeoutSeconds: input.timeoutSeconds,
      warningLeadSeconds: input.warningLeadSeconds,
      status: 'active',
      endReason: null,
    });
    return client.workflow.start(SessionLifecycleWorkflow, {
      taskQueue,
      workflowId: `session:${sessionId}`,
      args: [input],
    });
  };
  const sessionIdOf = (handle: WorkflowHandle) => handle.workflowId.slice('session:'.length);
  const callsOf = (handle: WorkflowHandle) => activities.calls.filter((c) => c.sessionId === sessionIdOf(handle));
  const readsOf = (handle: WorkflowHandle) => activities.reads.get(sessionIdOf(handle)) ?? 0;
  /** With RECORD_HISTORIES=1 the run's history is written for the replay suite (test/replay/histories). */
  const recordHistory = async (handle: WorkflowHandle, file: string) => {
    if (process.env.RECORD_HISTORIES !== '1') return;
    const history = await client.workflow.getHandle(handle.workflowId).fetchHistory();
    writeFileSync(join(__dirname, '../../replay/histories', file), historyToJSON(history));
  };

  beforeAll(async () => {
    nativeConnection = await NativeConnection.connect({ address: TestEnv.temporalAddress() });
    connection = await Connection.connect({ address: TestEnv.temporalAddress() });
    client = new Client({ connection });
    worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: { codePath: TestEnv.workflowBundlePath() },
      activities: {
        sendSessionTimeoutWarning: activities.sendSessionTimeoutWarning.bind(activities),
        endSessionDueToTimeout: activities.endSessionDueToTimeout.bind(activities),
        endSession: activities.endSession.bind(activities),
        recordTimeoutWarningFailed: activities.recordTimeoutWarningFailed.bind(activities),
        readSessionTimes: activities.readSessionTimes.bind(activities),
      },
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
  });

  it('ends the session once, at last activity + timeout, with reason inactivity', async () => {
    const startedAt = Date.now();
    const handle = await start({ timeoutSeconds: 2 });
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ ended: true, status: 'ended', endReason: 'inactivity' });
    const ends = callsOf(handle).filter((c) => c.name === 'end');
    expect(ends).toHaveLength(1);
    expect(ends[0]!.at - startedAt).toBeGreaterThanOrEqual(1_900);
  });

  it('sends the warning exactly once and still ends on time (the original never ended)', async () => {
    const lastActivityAt = new Date();
    const handle = await start({
      timeoutSeconds: 3,
      warningLeadSeconds: 1,
      lastActivityAt: lastActivityAt.toISOString(),
    });
    await handle.result();
    const calls = callsOf(handle);
    expect(calls.map((c) => c.name)).toEqual(['warning', 'end']);
    expect(calls[0]!.at - lastActivityAt.getTime()).toBeGreaterThanOrEqual(1_900);
    expect(calls[1]!.at - lastActivityAt.getTime()).toBeGreaterThanOrEqual(2_900);
    // It ends at last activity + timeout: the warning did not restart the timeout.
    expect(calls[1]!.deadlineAt).toBe(new Date(lastActivityAt.getTime() + 3_000).toISOString());
  });

  it('reads the activity from the database when the warning comes: customer activity moves the deadline and re-arms the warning, with no signal', async () => {
    const handle = await start({ timeoutSeconds: 3, warningLeadSeconds: 1 });
    const afterWarning = await eventually(async () => {
      const state = await handle.query(sessionStateQuery);
      return state.warningsSent === 1 ? state : undefined;
    });
    expect(afterWarning.warningSentForCurrentPeriod).toBe(true);

    // The customer answers after the warning: the inbound path writes the row, nothing is signalled.
    const replyAt = new Date();
    activities.touch(sessionIdOf(handle), replyAt);
    await handle.result();
    const calls = callsOf(handle);
    expect(calls.map((c) => c.name)).toEqual(['warning', 'warning', 'end']);
    expect(calls[1]!.at).toBeGreaterThanOrEqual(replyAt.getTime() + 1_900);
    expect(calls[2]!.deadlineAt).toBe(new Date(replyAt.getTime() + 3_000).toISOString());
    expect(calls[2]!.at).toBeGreaterThanOrEqual(replyAt.getTime() + 2_900);
    const state = await handle.query(sessionStateQuery);
    expect(state).toMatchObject({ signalsReceived: 0, warningsSent: 2, endReason: 'inactivity' });
    // Woke at the first warning, the first deadline (moved), the second warning and the second deadline.
    expect(state.wakeUps).toBe(4);
    expect(readsOf(handle)).toBe(4);
    await recordHistory(handle, 'SessionLifecycleWorkflow.warning-and-timeout.json');
  });

  it('costs wake-ups, not workflow tasks, for a long conversation: many messages, about duration / timeout + 1 reads', async () => {
    const startedAt = Date.now();
    const handle = await start({ timeoutSeconds: 2, lastActivityAt: new Date(startedAt).toISOString() });
    // 60 messages over ~3 s, none of them signalled.
    for (let i = 1; i <= 60; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      activities.touch(sessionIdOf(handle), new Date());
    }
    const lastMessageAt = Date.parse(activities.table.get(sessionIdOf(handle))!.lastActivityAt);
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ ended: true, endReason: 'inactivity' });
    const ends = callsOf(handle).filter((c) => c.name === 'end');
    expect(ends).toHaveLength(1);
    // Never early: at the true deadline (last message + timeout).
    expect(ends[0]!.deadlineAt).toBe(new Date(lastMessageAt + 2_000).toISOString());
    expect(ends[0]!.at).toBeGreaterThanOrEqual(lastMessageAt + 1_990);
    const duration = (lastMessageAt + 2_000 - startedAt) / 1000;
    expect(readsOf(handle)).toBeLessThanOrEqual(Math.ceil(duration / 2) + 1);
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
    expect(events.filter((e) => e.workflowTaskCompletedEventAttributes).length).toBeLessThan(15);
    await recordHistory(handle, 'SessionLifecycleWorkflow.json');
  });

  it('still moves the deadline on a sessionActivity signal (an api pod of an older release, during a rollout), and ignores the echo of its own warning', async () => {
    const started: { handle?: WorkflowHandle<typeof SessionLifecycleWorkflow> } = {};
    activities.onWarning = async (externalId) => {
      // The warning's own webhook can arrive before the activity returns.
      await started.handle!.signal(sessionActivitySignal, {
        at: new Date().toISOString(),
        direction: 'outbound',
        externalId,
      });
    };
    const handle = await start({ timeoutSeconds: 3, warningLeadSeconds: 1 });
    started.handle = handle;
    await eventually(async () => ((await handle.query(sessionStateQuery)).warningsSent === 1 ? true : undefined));
    const replyAt = new Date();
    await handle.signal(sessionActivitySignal, {
      at: replyAt.toISOString(),
      direction: 'inbound',
      externalId: 'false_x@c.us_REPLY',
    });
    const moved = await eventually(async () => {
      const s = await handle.query(sessionStateQuery);
      return s.lastActivityAt === replyAt.toISOString() ? s : undefined;
    });
    expect(moved.deadlineAt).toBe(new Date(replyAt.getTime() + 3_000).toISOString());
    expect(moved.warningSentForCurrentPeriod).toBe(false);
    await handle.result();
    activities.onWarning = async () => undefined;
    const calls = callsOf(handle);
    expect(calls.map((c) => c.name)).toEqual(['warning', 'warning', 'end']);
    expect(calls[2]!.at).toBeGreaterThanOrEqual(replyAt.getTime() + 2_900);
  });

  it('reads again at once on sessionPolicyChanged: a shortened timeout ends it at the new deadline, not the one it slept until', async () => {
    const lastActivityAt = new Date();
    const handle = await start({ timeoutSeconds: 600, lastActivityAt: lastActivityAt.toISOString() });
    await eventually(async () => ((await handle.query(sessionStateQuery)).status === 'active' ? true : undefined));
    Object.assign(activities.table.get(sessionIdOf(handle))!, { timeoutSeconds: 3, warningLeadSeconds: 1 });
    await handle.signal(sessionPolicyChangedSignal);
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ ended: true, endReason: 'inactivity' });
    const calls = callsOf(handle);
    expect(calls.map((c) => c.name)).toEqual(['warning', 'end']);
    expect(calls[1]!.deadlineAt).toBe(new Date(lastActivityAt.getTime() + 3_000).toISOString());
    expect(calls[1]!.at).toBeGreaterThanOrEqual(lastActivityAt.getTime() + 2_900);
  });

  it('stops watching a session that ended elsewhere (the cleanup schedule, a direct end) when it wakes, ending nothing', async () => {
    const handle = await start({ timeoutSeconds: 2 });
    Object.assign(activities.table.get(sessionIdOf(handle))!, { status: 'ended', endReason: 'cleanup' });
    expect(await handle.result()).toMatchObject({ ended: false, status: 'ended', endReason: 'cleanup' });
    expect(callsOf(handle)).toHaveLength(0);
    expect(readsOf(handle)).toBe(1);
  });

  it('records a warning WAHA refuses as failed (under the id it chose) and still ends at the deadline; the run does not fail', async () => {
    const lastActivityAt = new Date();
    const handle = await start({
      timeoutSeconds: 3,
      warningLeadSeconds: 1,
      lastActivityAt: lastActivityAt.toISOString(),
    });
    activities.warningFault.set(sessionIdOf(handle), 'refused');
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ ended: true, status: 'ended', endReason: 'inactivity' });
    const calls = callsOf(handle);
    expect(calls.map((c) => c.name)).toEqual(['warning', 'warning-failed', 'end']);
    expect(calls[0]!.messageRawId).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(calls[1]!.messageRawId).toBe(calls[0]!.messageRawId);
    expect(calls[2]!.deadlineAt).toBe(new Date(lastActivityAt.getTime() + 3_000).toISOString());
    expect(await handle.query(sessionStateQuery)).toMatchObject({
      warningsSent: 0,
      warningSentForCurrentPeriod: true,
      endReason: 'inactivity',
    });
  });

  it('gives up a warning WAHA never answers once the deadline comes, records it failed and ends on time', async () => {
    const lastActivityAt = new Date();
    const handle = await start({
      timeoutSeconds: 3,
      warningLeadSeconds: 2,
      lastActivityAt: lastActivityAt.toISOString(),
    });
    activities.warningFault.set(sessionIdOf(handle), 'hangs');
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ ended: true, endReason: 'inactivity' });
    const calls = callsOf(handle);
    expect(calls.map((c) => c.name)).toEqual(['warning', 'warning-failed', 'end']);
    // Not after the hanging send (8 s): the send was bounded by the deadline.
    expect(calls[2]!.at - lastActivityAt.getTime()).toBeLessThan(7_000);
    expect(calls[2]!.deadlineAt).toBe(new Date(lastActivityAt.getTime() + 3_000).toISOString());
  });

  it('skips the warning when the database shows later activity, and warns and ends from there', async () => {
    const lastActivityAt = new Date();
    const handle = await start({
      timeoutSeconds: 3,
      warningLeadSeconds: 1,
      lastActivityAt: lastActivityAt.toISOString(),
    });
    const later = new Date(lastActivityAt.getTime() + 1_500);
    activities.dbActivityBeforeWarning.set(sessionIdOf(handle), later.toISOString());
    await handle.result();
    const calls = callsOf(handle);
    expect(calls.map((c) => c.name)).toEqual(['warning-skipped', 'warning', 'end']);
    expect(calls[1]!.at).toBeGreaterThanOrEqual(later.getTime() + 1_900);
    expect(calls[2]!.deadlineAt).toBe(new Date(later.getTime() + 3_000).toISOString());
  });

  it('closes at once on the closeSession update during a wait, answering with the outcome', async () => {
    const handle = await start({ timeoutSeconds: 600, warningLeadSeconds: 60 });
    const outcome = await handle.executeUpdate(closeSessionUpdate, { args: [{ reason: 'manual' }] });
    expect(outcome).toMatchObject({ ended: true, endReason: 'manual', status: 'ended' });
    expect(await handle.result()).toMatchObject({ endReason: 'manual' });
    expect(callsOf(handle).map((c) => c.name)).toEqual(['end']);
  });

  it('rejects a closeSession update with an unknown reason', async () => {
    const handle = await start({ timeoutSeconds: 600 });
    const rejected = await handle
      .executeUpdate(closeSessionUpdate, { args: [{ reason: 'bored' as never }] })
      .catch((e: unknown) => e);
    expect((rejected as { cause?: { message?: string } }).cause?.message).toMatch(/reason must be one of/);
    expect((await handle.query(sessionStateQuery)).status).toBe('active');
    await handle.executeUpdate(closeSessionUpdate, { args: [{ reason: 'manual' }] });
  });

  it('sleeps again until the later deadline when the database shows activity at the wake-up', async () => {
    const handle = await start({ timeoutSeconds: 2 });
    const later = new Date(Date.now() + 1_000);
    activities.touch(sessionIdOf(handle), later);
    await handle.result();
    const calls = callsOf(handle);
    expect(calls.map((c) => c.name)).toEqual(['end']);
    expect(calls[0]!.deadlineAt).toBe(new Date(later.getTime() + 2_000).toISOString());
    expect(readsOf(handle)).toBe(2);
  });

  it('waits from the later activity the end reports when a message came between the read and the end', async () => {
    const handle = await start({ timeoutSeconds: 2 });
    activities.dbLastActivityAt.set(sessionIdOf(handle), new Date(Date.now() + 1_000).toISOString());
    await handle.result();
    expect(callsOf(handle).map((c) => c.name)).toEqual(['deferred', 'end']);
  });

  it('continues as new under many (legacy) signals without losing the deadline', async () => {
    const handle = await start({ timeoutSeconds: 60 });
    const firstRunId = (await handle.describe()).runId;
    // All times are fixed up front: sending 520 signals may take seconds on a busy machine.
    const base = Date.now();
    const lastAt = new Date(base + 5_000);
    for (let i = 0; i < 520; i += 1) {
      const at = i === 519 ? lastAt : new Date(base - 1_000 + i);
      await handle.signal(sessionActivitySignal, {
        at: at.toISOString(),
        direction: 'inbound',
        externalId: `false_x@c.us_M${i}`,
      });
    }
    const state = await eventually(async () => {
      const s = await handle.query(sessionStateQuery);
      return s.signalsReceived === 520 ? s : undefined;
    });
    expect(state.deadlineAt).toBe(new Date(lastAt.getTime() + 60_000).toISOString());
    expect((await handle.describe()).runId).not.toBe(firstRunId);
    await handle.executeUpdate(closeSessionUpdate, { args: [{ reason: 'manual' }] });
  });

  it('fails fast with a non-retryable ValidationError on bad input', async () => {
    const handle = await start({ timeoutSeconds: 0 });
    await expect(handle.result()).rejects.toMatchObject({
      cause: { type: 'ValidationError', message: expect.stringContaining('timeoutSeconds') },
    });
  });
});
