import { type WorkflowHandle } from '@temporalio/client';

// Derived from the client's own types (no direct dependency on @temporalio/proto).
type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
export type HistoryEvent = NonNullable<History['events']>[number];

/** An event time as epoch ms (NaN when absent). */
export function toMs(ts: HistoryEvent['eventTime']): number {
  if (!ts) return Number.NaN;
  const seconds = ts.seconds ?? 0;
  return (typeof seconds === 'number' ? seconds : seconds.toNumber()) * 1_000 + (ts.nanos ?? 0) / 1e6;
}

/** An event id (a Long, a number or a string in the decoded history) as a number (NaN when absent). */
export function idOf(value: unknown): number {
  if (value === null || value === undefined) return Number.NaN;
  return typeof value === 'number' ? value : Number(String(value));
}
