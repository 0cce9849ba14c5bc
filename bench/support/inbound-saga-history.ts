import { type Client } from '@temporalio/client';
import { type HistoryEvent, idOf, toMs } from './history-events';
import { summarize, type Summary } from './stats';

/** Where one saga's time goes, from its history (server timestamps) and the POST start (bench clock). */
export interface SagaProfile {
  events: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  /** Named spans in ms; absent spans are not in this saga's history. */
  spans: Map<string, number[]>;
}

export interface SagaProfileSummary {
  samples: number;
  /** The paced rate the sampled sagas ran at (set by the caller). */
  rate?: number;
  events: Summary;
  workflowTasks: Summary;
  activities: Summary;
  localActivities: Summary;
  spans: { name: string; summary: Summary; perSaga: number }[];
}

function push(spans: Map<string, number[]>, name: string, value: number): void {
  if (!Number.isFinite(value)) return;
  const list = spans.get(name) ?? [];
  list.push(value);
  spans.set(name, list);
}

/** Reads one saga's history and splits its life into spans (what a Temporal round trip costs). */
export async function profileSaga(client: Client, workflowId: string, postStartEpoch: number): Promise<SagaProfile> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events: HistoryEvent[] = history.events ?? [];
  const timeOf = new Map<number, number>();
  const activityName = new Map<number, string>();
  const spans = new Map<string, number[]>();
  let startedAt = Number.NaN;
  let lastActivityDone = Number.NaN;
  let workflowTasks = 0;
  let activities = 0;
  let localActivities = 0;

  for (const e of events) {
    const id = idOf(e.eventId);
    const t = toMs(e.eventTime);
    timeOf.set(id, t);
    if (e.workflowExecutionStartedEventAttributes) {
      startedAt = t;
      push(spans, 'POST start -> workflow started (receiver + start RPC)', t - postStartEpoch);
    } else if (e.workflowTaskScheduledEventAttributes) {
      workflowTasks += 1;
    } else if (e.workflowTaskStartedEventAttributes) {
      push(
        spans,
        'workflow task schedule -> start (dispatch to worker)',
        t - (timeOf.get(idOf(e.workflowTaskStartedEventAttributes.scheduledEventId)) ?? Number.NaN),
      );
    } else if (e.workflowTaskCompletedEventAttributes) {
      push(
        spans,
        'workflow task start -> complete (worker activation)',
        t - (timeOf.get(idOf(e.workflowTaskCompletedEventAttributes.startedEventId)) ?? Number.NaN),
      );
    } else if (e.activityTaskScheduledEventAttributes) {
      activities += 1;
      activityName.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
      push(spans, 'activity completed -> next activity scheduled (one workflow task round trip)', t - lastActivityDone);
    } else if (e.activityTaskStartedEventAttributes) {
      const scheduled = idOf(e.activityTaskStartedEventAttributes.scheduledEventId);
      push(
        spans,
        `activity ${activityName.get(scheduled)} schedule -> start`,
        t - (timeOf.get(scheduled) ?? Number.NaN),
      );
    } else if (e.activityTaskCompletedEventAttributes) {
      const attrs = e.activityTaskCompletedEventAttributes;
      const name = activityName.get(idOf(attrs.scheduledEventId));
      push(spans, `activity ${name} start -> complete`, t - (timeOf.get(idOf(attrs.startedEventId)) ?? Number.NaN));
      if (name === 'createMessage') push(spans, 'workflow started -> createMessage completed', t - startedAt);
      lastActivityDone = t;
    } else if (e.markerRecordedEventAttributes) {
      localActivities += 1;
    } else if (e.workflowExecutionCompletedEventAttributes) {
      push(spans, 'workflow started -> completed', t - startedAt);
      push(spans, 'POST start -> workflow completed', t - postStartEpoch);
    }
  }
  return { events: events.length, workflowTasks, activities, localActivities, spans };
}

/** Profiles up to `limit` sagas (spread over the list) and summarises them; failures are skipped. */
export async function profileSagas(
  client: Client,
  sagas: { workflowId: string; postStartEpoch: number }[],
  limit: number,
): Promise<SagaProfileSummary> {
  const step = Math.max(1, Math.floor(sagas.length / Math.max(1, limit)));
  const picked = sagas.filter((_, i) => i % step === 0).slice(0, limit);
  const profiles: SagaProfile[] = [];
  for (let i = 0; i < picked.length; i += 8) {
    const batch = await Promise.all(
      picked.slice(i, i + 8).map((s) => profileSaga(client, s.workflowId, s.postStartEpoch).catch(() => undefined)),
    );
    profiles.push(...batch.filter((p): p is SagaProfile => p !== undefined));
  }
  const names: string[] = [];
  for (const p of profiles) for (const name of p.spans.keys()) if (!names.includes(name)) names.push(name);
  return {
    samples: profiles.length,
    events: summarize(profiles.map((p) => p.events)),
    workflowTasks: summarize(profiles.map((p) => p.workflowTasks)),
    activities: summarize(profiles.map((p) => p.activities)),
    localActivities: summarize(profiles.map((p) => p.localActivities)),
    spans: names.map((name) => {
      const all = profiles.flatMap((p) => p.spans.get(name) ?? []);
      return { name, summary: summarize(all), perSaga: profiles.length ? all.length / profiles.length : 0 };
    }),
  };
}
