import { type Client } from '@temporalio/client';
import { type HistoryEvent, idOf, toMs } from './history-events';
import { summarize, type Summary } from './stats';

/** Where a delivery's time goes, from the histories of a sample of delivery workflows (server times, ms).
 *  On the inline path a healthy delivery has no workflow; `npm run bench:webhooks` samples the healthy
 *  deliveries that got one anyway (the per-subscription inline cap was reached, so the run made the
 *  first attempt), to show what that detour costs. */
export interface DeliveryBreakdown {
  sampled: number;
  /** Outbox commit (producer clock, epoch) -> WorkflowExecutionStarted: relay wake-up, claim, fan-out, cap check, start. */
  commitToStart: Summary;
  /** Started -> deliverWebhook scheduled: the first workflow task. */
  startToScheduled: Summary;
  /** deliverWebhook scheduled -> picked up by a worker slot (queueing: where a dead endpoint's held slots show). */
  deliverScheduleToStart: Summary;
  /** deliverWebhook picked up -> completed: database reads, the HTTP POST, the attempt record. */
  deliverStartToClose: Summary;
  /** deliverWebhook completed -> workflow completed: one workflow task, webhookStatusUpdate, one more workflow task. */
  bookkeeping: Summary;
}

/**
 * Reads the histories of `workflowIds` (a sample) and splits each delivery's time into its stages.
 * `committedAtEpoch(workflowId)` is the producer's commit time of the event, in epoch ms.
 */
export async function deliveryBreakdown(
  client: Client,
  workflowIds: string[],
  committedAtEpoch: (workflowId: string) => number | undefined,
): Promise<DeliveryBreakdown> {
  const commitToStart: number[] = [];
  const startToScheduled: number[] = [];
  const schedToStart: number[] = [];
  const startToClose: number[] = [];
  const bookkeeping: number[] = [];
  let sampled = 0;
  for (const workflowId of workflowIds) {
    let events: HistoryEvent[];
    try {
      events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    } catch {
      continue;
    }
    const timeOf = new Map<number, number>();
    const typeOf = new Map<number, string>();
    let started = Number.NaN;
    let deliverScheduled = Number.NaN;
    let deliverCompleted = Number.NaN;
    let completed = Number.NaN;
    for (const e of events) {
      const id = idOf(e.eventId);
      const t = toMs(e.eventTime);
      timeOf.set(id, t);
      if (e.workflowExecutionStartedEventAttributes) started = t;
      else if (e.activityTaskScheduledEventAttributes) {
        const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '?';
        typeOf.set(id, name);
        if (name === 'deliverWebhook') deliverScheduled = t;
      } else if (e.activityTaskStartedEventAttributes) {
        const scheduledId = idOf(e.activityTaskStartedEventAttributes.scheduledEventId);
        // Recorded once, for the last attempt: with retries this includes the backoff, so only first-attempt runs count.
        if (typeOf.get(scheduledId) === 'deliverWebhook' && idOf(e.activityTaskStartedEventAttributes.attempt) === 1)
          schedToStart.push(t - timeOf.get(scheduledId)!);
      } else if (e.activityTaskCompletedEventAttributes) {
        const attrs = e.activityTaskCompletedEventAttributes;
        if (typeOf.get(idOf(attrs.scheduledEventId)) === 'deliverWebhook') {
          deliverCompleted = t;
          startToClose.push(t - (timeOf.get(idOf(attrs.startedEventId)) ?? Number.NaN));
        }
      } else if (e.workflowExecutionCompletedEventAttributes) completed = t;
    }
    if (Number.isNaN(started)) continue;
    sampled += 1;
    const committed = committedAtEpoch(workflowId);
    if (committed !== undefined) commitToStart.push(started - committed);
    if (!Number.isNaN(deliverScheduled)) startToScheduled.push(deliverScheduled - started);
    if (!Number.isNaN(deliverCompleted) && !Number.isNaN(completed)) bookkeeping.push(completed - deliverCompleted);
  }
  return {
    sampled,
    commitToStart: summarize(commitToStart),
    startToScheduled: summarize(startToScheduled),
    deliverScheduleToStart: summarize(schedToStart),
    deliverStartToClose: summarize(startToClose),
    bookkeeping: summarize(bookkeeping),
  };
}
