import { type WorkflowHandle } from '@temporalio/client';
import { type HistoryEvent, idOf, toMs } from './history-events';
import { summarize, type Summary } from './stats';

/** Where the processor workflow spends its time, from its own history (server timestamps). */
export interface ProcessorBreakdown {
  events: number;
  /** Workflow task queued -> picked up by the worker. */
  workflowTaskScheduleToStart: Summary;
  /** Workflow task picked up -> completed (replay/activation in the worker). */
  workflowTaskStartToClose: Summary;
  /** Activity queued -> picked up, and picked up -> completed, for processPendingEvents. */
  pendingScheduleToStart: Summary;
  pendingStartToClose: Summary;
  /** Activity completed -> the next activity scheduled (one workflow task round trip). */
  activityGap: Summary;
  /** processPendingEvents scheduled -> next processPendingEvents scheduled. */
  iteration: Summary;
  signals: number;
}

/** Reads the latest run's history; only the events whose time falls in [fromMs, toMs] (epoch ms) count. */
export async function processorBreakdown(
  handle: WorkflowHandle,
  fromMs: number,
  toMsEpoch: number,
): Promise<ProcessorBreakdown> {
  const history = await handle.fetchHistory();
  const events: HistoryEvent[] = history.events ?? [];
  const timeOf = new Map<number, number>();
  const activityType = new Map<number, string>();
  const wtSchedToStart: number[] = [];
  const wtStartToClose: number[] = [];
  const pendSchedToStart: number[] = [];
  const pendStartToClose: number[] = [];
  const gaps: number[] = [];
  const pendingScheduledTimes: number[] = [];
  let lastActivityCompleted = Number.NaN;
  let signals = 0;
  let counted = 0;

  for (const e of events) {
    const id = idOf(e.eventId);
    const t = toMs(e.eventTime);
    timeOf.set(id, t);
    const inWindow = t >= fromMs && t <= toMsEpoch;
    if (inWindow) counted += 1;
    if (e.workflowTaskStartedEventAttributes && inWindow) {
      wtSchedToStart.push(t - (timeOf.get(idOf(e.workflowTaskStartedEventAttributes.scheduledEventId)) ?? Number.NaN));
    } else if (e.workflowTaskCompletedEventAttributes && inWindow) {
      wtStartToClose.push(t - (timeOf.get(idOf(e.workflowTaskCompletedEventAttributes.startedEventId)) ?? Number.NaN));
    } else if (e.activityTaskScheduledEventAttributes) {
      const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '?';
      activityType.set(id, name);
      if (inWindow && !Number.isNaN(lastActivityCompleted)) gaps.push(t - lastActivityCompleted);
      if (inWindow && name === 'processPendingEvents') pendingScheduledTimes.push(t);
    } else if (e.activityTaskStartedEventAttributes && inWindow) {
      const scheduledId = idOf(e.activityTaskStartedEventAttributes.scheduledEventId);
      if (activityType.get(scheduledId) === 'processPendingEvents')
        pendSchedToStart.push(t - (timeOf.get(scheduledId) ?? Number.NaN));
    } else if (e.activityTaskCompletedEventAttributes) {
      lastActivityCompleted = t;
      const attrs = e.activityTaskCompletedEventAttributes;
      if (inWindow && activityType.get(idOf(attrs.scheduledEventId)) === 'processPendingEvents') {
        pendStartToClose.push(t - (timeOf.get(idOf(attrs.startedEventId)) ?? Number.NaN));
      }
    } else if (e.timerStartedEventAttributes) {
      // Sleeping between iterations: the next activity is not a round trip away from the last one.
      lastActivityCompleted = Number.NaN;
    } else if (e.workflowExecutionSignaledEventAttributes && inWindow) {
      signals += 1;
    }
  }

  const iterations = pendingScheduledTimes.slice(1).map((t, i) => t - pendingScheduledTimes[i]);
  const clean = (values: number[]) => values.filter((v) => Number.isFinite(v));
  return {
    events: counted,
    workflowTaskScheduleToStart: summarize(clean(wtSchedToStart)),
    workflowTaskStartToClose: summarize(clean(wtStartToClose)),
    pendingScheduleToStart: summarize(clean(pendSchedToStart)),
    pendingStartToClose: summarize(clean(pendStartToClose)),
    activityGap: summarize(clean(gaps)),
    iteration: summarize(clean(iterations)),
    signals,
  };
}
