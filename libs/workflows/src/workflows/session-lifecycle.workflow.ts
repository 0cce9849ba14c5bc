import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
  SESSION_ACTIVITY_OPTIONS,
  SESSION_LOCAL_END_OPTIONS,
  SESSION_LOCAL_READ_OPTIONS,
  SESSION_WARNING_OPTIONS,
} from '../contracts/retry-policies';
import {
  type EndSessionOutcome,
  type SessionActivity,
  type SessionEndReason,
  type SessionLifecycleActivitiesContract,
  type SessionLifecycleInput,
  type SessionLifecycleState,
  type SendTimeoutWarningResult,
  type SessionTimes,
  closeSessionUpdate,
  sessionActivitySignal,
  sessionPolicyChangedSignal,
  sessionStateQuery,
} from '../contracts/session-lifecycle.contracts';
import { invalidInput, requireInt } from '../contracts/validation';

const activities = proxyActivities<SessionLifecycleActivitiesContract>(SESSION_ACTIVITY_OPTIONS);
const localReads = proxyLocalActivities<SessionLifecycleActivitiesContract>(SESSION_LOCAL_READ_OPTIONS);
const localEnds = proxyLocalActivities<SessionLifecycleActivitiesContract>(SESSION_LOCAL_END_OPTIONS);

/** Continue as new after this many signals even if the server has not suggested it yet. */
const SIGNALS_PER_RUN = 500;

/** Runs from here on: a warning that cannot be sent is recorded failed and the run carries on (it
 *  used to fail the run); the send is bounded by the deadline, skipped when the database shows later
 *  activity, and its message id is chosen here. */
export const WARNING_FAILURES_PATCH = 'warning-failures-recorded';

/** Runs from here on get no signal per message: when a warning or the deadline is due they read the
 *  session from the database (one local activity) and, if activity moved it, sleep until the new
 *  time. Runs started before it replay as they ran (they were signalled). */
export const LAZY_DEADLINES_PATCH = 'session-lazy-deadlines';

/** Runs from here on end a session by inactivity in a local activity (bench:sessions: the regular
 *  activity's task events and matching made the end cost twice a plain timer's). */
export const LOCAL_END_PATCH = 'session-local-end';

/** Runs from here on read the clock once per workflow task: after a local activity in the same task
 *  the time stays the task's. Read after the local activity, the time differed on replay (a query of
 *  a finished run replays it), so a warning due by a few milliseconds could be sent on the first run
 *  and not on the replay: a nondeterminism error. */
export const TASK_CLOCK_PATCH = 'session-clock-per-task';

/** Continue as new after this many wake-ups (a run's history grows by a few events per wake). */
const WAKE_UPS_PER_RUN = 200;

/**
 * One run per session (id `session:{sessionId}`), alive while the session is active.
 * Deadline = last activity + timeout. At most one warning per idle period, at deadline - lead; the
 * warning does NOT move the deadline (the original's warning timer restarted the timeout, so a
 * session with a warning never ended). Lazy deadlines: messages do not signal the run; the database
 * holds the last activity (inbound and outbound, never the warnings this workflow sent nor their
 * echoes), and the run reads it when the warning or the deadline it knows comes, sleeping again
 * until the later time if activity moved it. So a conversation costs about duration / timeout + 1
 * wake-ups, not a workflow task per message, and a session ends at its true deadline, at most one
 * read late. `sessionPolicyChanged` makes it read at once (the timeout may have shortened);
 * `closeSession` ends it at once; `state` reports it.
 * A warning that cannot be sent (WAHA 4xx, or no answer before the deadline) is recorded failed
 * and never fails the run: the session still ends at its deadline.
 */
export async function SessionLifecycleWorkflow(input: SessionLifecycleInput): Promise<EndSessionOutcome> {
  validate(input);
  let lastActivityMs = Date.parse(input.lastActivityAt);
  let warnedForActivityMs = input.warnedForActivityAt ? Date.parse(input.warnedForActivityAt) : null;
  const systemMessageIds = new Set(input.systemMessageIds ?? []);
  let signalsReceived = input.signalsReceived ?? 0;
  let signalsThisRun = 0;
  let wakeUps = input.wakeUps ?? 0;
  let wakeUpsThisRun = 0;
  let timeoutSeconds = input.timeoutSeconds;
  let warningLeadSeconds = input.warningLeadSeconds;
  /** The database is read before acting on a due time, once per wake; a policy change asks for it too. */
  let readThisWake = false;
  let policyChanged = false;
  let warningsSent = 0;
  let pending: SessionActivity[] = [];
  let closeRequest: SessionEndReason | null = null;
  let outcome: EndSessionOutcome | null = null;
  let warningInFlight = false;

  const deadlineMs = () => lastActivityMs + timeoutSeconds * 1000;
  const warningMs = () => (warningLeadSeconds ? deadlineMs() - warningLeadSeconds * 1000 : null);
  const warningDue = (now: number) => {
    const warnAt = warningMs();
    return warnAt !== null && !warnedThisPeriod() && now >= warnAt;
  };
  const applyStoredTiming = (stored: { timeoutSeconds?: number; warningLeadSeconds?: number | null }) => {
    if (stored.timeoutSeconds !== undefined) timeoutSeconds = stored.timeoutSeconds;
    if (stored.warningLeadSeconds !== undefined) warningLeadSeconds = stored.warningLeadSeconds;
  };
  const warnedThisPeriod = () => warnedForActivityMs === lastActivityMs;
  let clockPerTask: boolean | undefined;
  let taskClock: { historyLength: number; at: number } | null = null;
  /** Now, as of the current workflow task (see TASK_CLOCK_PATCH); the task is told by the history length. */
  const readClock = (): number => {
    clockPerTask ??= patched(TASK_CLOCK_PATCH);
    if (!clockPerTask) return Date.now();
    const { historyLength } = workflowInfo();
    if (taskClock?.historyLength !== historyLength) taskClock = { historyLength, at: Date.now() };
    return taskClock.at;
  };

  // Activity is applied outside the handler so a signal for our own warning, arriving while the
  // warning is still being sent (its id not known yet), is never mistaken for customer activity.
  const applyPending = () => {
    if (warningInFlight) return;
    for (const activity of pending) {
      if (activity.externalId && systemMessageIds.has(activity.externalId)) continue;
      lastActivityMs = Math.max(lastActivityMs, Date.parse(activity.at));
    }
    pending = [];
  };

  setHandler(sessionActivitySignal, (activity) => {
    signalsReceived += 1;
    signalsThisRun += 1;
    pending.push(activity);
  });
  setHandler(sessionPolicyChangedSignal, () => {
    policyChanged = true;
  });
  setHandler(sessionStateQuery, (): SessionLifecycleState => ({
    sessionId: input.sessionId,
    status: outcome?.status === 'ended' ? 'ended' : 'active',
    lastActivityAt: new Date(lastActivityMs).toISOString(),
    deadlineAt: new Date(deadlineMs()).toISOString(),
    warningAt: warningMs() === null ? null : new Date(warningMs()!).toISOString(),
    warningSentForCurrentPeriod: warnedThisPeriod(),
    warningsSent,
    signalsReceived,
    wakeUps,
    endReason: outcome?.endReason ?? null,
  }));
  setHandler(
    closeSessionUpdate,
    async (request) => {
      closeRequest ??= request.reason;
      await condition(() => outcome !== null);
      return outcome!;
    },
    {
      validator: (request) => {
        if (!request || !['manual', 'saga_rollback', 'cleanup'].includes(request.reason)) {
          throw new Error('reason must be one of manual, saga_rollback, cleanup');
        }
      },
    },
  );

  for (;;) {
    applyPending();
    if (closeRequest) {
      outcome = await activities.endSession({
        tenantId: input.tenantId,
        sessionId: input.sessionId,
        reason: closeRequest,
      });
      break;
    }
    let now = readClock();
    const readWanted = policyChanged || now >= deadlineMs() || warningDue(now);
    policyChanged = false;
    if (readWanted && !readThisWake && patched(LAZY_DEADLINES_PATCH)) {
      readThisWake = true;
      wakeUps += 1;
      wakeUpsThisRun += 1;
      const stored: SessionTimes = await localReads.readSessionTimes({
        tenantId: input.tenantId,
        sessionId: input.sessionId,
      });
      if (stored.status !== 'active') {
        // Ended elsewhere (the cleanup schedule, a direct end) or erased: nothing left to watch.
        outcome = {
          ended: false,
          status: 'ended',
          endReason: stored.endReason,
          endedAt: stored.endedAt,
          lastActivityAt: null,
        };
        break;
      }
      lastActivityMs = Math.max(lastActivityMs, Date.parse(stored.lastActivityAt));
      applyStoredTiming(stored);
      continue;
    }
    readThisWake = false;
    now = readClock();
    if (now >= deadlineMs()) {
      const end = {
        tenantId: input.tenantId,
        sessionId: input.sessionId,
        deadlineAt: new Date(deadlineMs()).toISOString(),
      };
      const result = patched(LOCAL_END_PATCH)
        ? await localEnds.endSessionDueToTimeout(end)
        : await activities.endSessionDueToTimeout(end);
      if (result.status === 'active' && result.lastActivityAt) {
        // The database saw a later message (or a longer timeout) since the read: wait from there.
        lastActivityMs = Math.max(lastActivityMs, Date.parse(result.lastActivityAt));
        applyStoredTiming(result);
        continue;
      }
      outcome = result;
      break;
    }
    const warnAt = warningMs();
    if (warnAt !== null && warningDue(now)) {
      warningInFlight = true;
      const warnedPeriod = lastActivityMs;
      const warning = patched(WARNING_FAILURES_PATCH)
        ? await sendWarningOrRecordFailure(input, warnedPeriod, deadlineMs() - now)
        : await activities.sendSessionTimeoutWarning({ tenantId: input.tenantId, sessionId: input.sessionId });
      warningInFlight = false;
      if (warning.laterActivityAt) {
        // The customer wrote since (the database knows, the signal is on its way): no warning for
        // this period; the new one gets its own.
        lastActivityMs = Math.max(lastActivityMs, Date.parse(warning.laterActivityAt));
        continue;
      }
      if (warning.externalId) systemMessageIds.add(warning.externalId);
      warnedForActivityMs = warnedPeriod;
      if (warning.sent) warningsSent += 1;
      continue;
    }

    if (
      signalsThisRun >= SIGNALS_PER_RUN ||
      wakeUpsThisRun >= WAKE_UPS_PER_RUN ||
      workflowInfo().continueAsNewSuggested
    ) {
      await condition(allHandlersFinished);
      applyPending();
      if (!closeRequest) {
        return continueAsNew<typeof SessionLifecycleWorkflow>({
          ...input,
          timeoutSeconds,
          warningLeadSeconds,
          lastActivityAt: new Date(lastActivityMs).toISOString(),
          warnedForActivityAt: warnedForActivityMs === null ? null : new Date(warnedForActivityMs).toISOString(),
          systemMessageIds: [...systemMessageIds].slice(-20),
          signalsReceived,
          wakeUps,
        });
      }
      continue;
    }

    const nextWake = warnAt !== null && !warnedThisPeriod() && warnAt > now ? warnAt : deadlineMs();
    await condition(() => pending.length > 0 || closeRequest !== null || policyChanged, nextWake - now);
  }

  await condition(allHandlersFinished);
  return outcome;
}

/**
 * Sends the warning under an id chosen here, within the time left before the deadline (a warning
 * after the end is pointless, and the end must not wait for WAHA). A warning WAHA refuses (4xx) or
 * does not take in time is recorded failed, and the run carries on to end the session on time.
 */
async function sendWarningOrRecordFailure(
  input: SessionLifecycleInput,
  lastActivityMs: number,
  timeLeftMs: number,
): Promise<SendTimeoutWarningResult> {
  const messageRawId = warningRawId();
  const send = proxyActivities<SessionLifecycleActivitiesContract>({
    ...SESSION_WARNING_OPTIONS,
    scheduleToCloseTimeout: Math.max(timeLeftMs, 1_000),
  });
  try {
    return await send.sendSessionTimeoutWarning({
      tenantId: input.tenantId,
      sessionId: input.sessionId,
      lastActivityAt: new Date(lastActivityMs).toISOString(),
      messageRawId,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    try {
      await activities.recordTimeoutWarningFailed({
        tenantId: input.tenantId,
        sessionId: input.sessionId,
        messageRawId,
      });
    } catch (recordErr) {
      // The database stayed unreachable through the retries: the message stays `pending`; the
      // session must still end.
      if (!(recordErr instanceof ActivityFailure)) throw recordErr;
    }
    return { sent: false, externalId: null, reason: err.cause?.message ?? err.message };
  }
}

/** WhatsApp-Web style raw id (`3EB0` + 18 hex), from the workflow's deterministic uuid4. */
function warningRawId(): string {
  return `3EB0${uuid4().replace(/-/g, '').slice(0, 18).toUpperCase()}`;
}

function validate(input: SessionLifecycleInput): void {
  if (!input || typeof input !== 'object') throw invalidInput('input', 'is required');
  if (typeof input.tenantId !== 'string' || !input.tenantId) throw invalidInput('tenantId', 'is required');
  if (typeof input.sessionId !== 'string' || !input.sessionId) throw invalidInput('sessionId', 'is required');
  if (Number.isNaN(Date.parse(input.lastActivityAt))) throw invalidInput('lastActivityAt', 'must be an ISO date');
  requireInt(input.timeoutSeconds, 'timeoutSeconds', 1);
  if (input.warningLeadSeconds !== null) {
    requireInt(input.warningLeadSeconds, 'warningLeadSeconds', 1, input.timeoutSeconds - 1);
  }
}
