import { type Client } from '@temporalio/client';
import { type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export type RawHistory = temporal.api.history.v1.IHistory;

/** A workflow's history as the server stores it: straight from the gRPC service, every payload as
 *  written (no data converter, no codec in between). */
export async function rawHistory(client: Client, namespace: string, workflowId: string): Promise<RawHistory> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId },
      nextPageToken,
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { events };
}

/** The history in its wire form (protobuf bytes), to search for plaintext anywhere in it. */
export const historyBytes = (history: RawHistory): Buffer =>
  Buffer.from(temporal.api.history.v1.History.encode(history).finish());

/** Every Payload message anywhere in the history (inputs, results, activity arguments, markers, headers, failures' details). */
export function payloadsOf(value: unknown, found: Payload[] = [], seen = new WeakSet<object>()): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || seen.has(value)) return found;
  seen.add(value);
  const record = value as Record<string, unknown>;
  if (record.data instanceof Uint8Array && typeof record.metadata === 'object' && record.metadata !== null)
    found.push(record as Payload);
  for (const child of Object.values(record)) payloadsOf(child, found, seen);
  return found;
}

export const metadataText = (payload: Payload, key: string): string | undefined => {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
};
