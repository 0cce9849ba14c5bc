import { type Client } from '@temporalio/client';
import { type Pool } from 'pg';
import { webhookDeliveryWorkflowId } from '@app/workflows';
import { log } from './bench-process';

/**
 * The WebhookDeliveryWorkflows a phase of `npm run bench:webhooks` started. On the inline path a
 * healthy delivery has none: a run exists only for a delivery whose inline first attempt failed or
 * timed out, that found WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION attempts already in flight to its
 * subscription, or that was held and released. Read from the server's visibility store (the dev
 * server's, eventually consistent: read until the count stops moving).
 */

const TYPE = `WorkflowType='WebhookDeliveryWorkflow'`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface DeliveryRun {
  workflowId: string;
  startMs: number;
  status: string;
}

/** Every delivery run started at or after `sinceEpochMs`, once visibility has caught up (the count is
 *  the same on two reads `stableMs` apart, at most `maxWaitMs`). */
export async function deliveryRunsSince(
  client: Client,
  sinceEpochMs: number,
  { stableMs = 750, maxWaitMs = 10_000 } = {},
): Promise<DeliveryRun[]> {
  const query = `${TYPE} AND StartTime >= '${new Date(sinceEpochMs).toISOString()}'`;
  const deadline = Date.now() + maxWaitMs;
  let last = -1;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count === last || Date.now() > deadline) break;
    last = count;
    await sleep(stableMs);
  }
  // Keyed by workflow id: pages are ordered by start time, so runs started while paging shift the
  // pages and a run can come twice.
  const runs = new Map<string, DeliveryRun>();
  for await (const info of client.workflow.list({ query, pageSize: 1_000 })) {
    runs.set(info.workflowId, {
      workflowId: info.workflowId,
      startMs: info.startTime.getTime(),
      status: info.status.name,
    });
  }
  return [...runs.values()];
}

/** A phase's runs split by whose deliveries they carry. */
export interface RunCounts {
  /** Runs for the phase's healthy deliveries (should be 0 on the inline path). */
  healthy: number;
  /** Runs for the dead endpoint's deliveries of the phase. */
  dead: number;
  /** Any other run started in the phase's window (held releases of earlier phases, ...). */
  other: number;
  /** Workflow ids of the healthy runs (to split latency by path and sample histories). */
  healthyIds: Set<string>;
}

export function countRuns(
  runs: DeliveryRun[],
  events: readonly string[],
  healthySubscriptions: readonly string[],
  deadSubscription: string | undefined,
  windowEndEpochMs: number,
): RunCounts {
  const healthyWanted = new Set(
    events.flatMap((e) => healthySubscriptions.map((s) => webhookDeliveryWorkflowId(s, e))),
  );
  const deadWanted = new Set(deadSubscription ? events.map((e) => webhookDeliveryWorkflowId(deadSubscription, e)) : []);
  const counts: RunCounts = { healthy: 0, dead: 0, other: 0, healthyIds: new Set() };
  for (const run of runs) {
    if (healthyWanted.has(run.workflowId)) {
      counts.healthy += 1;
      counts.healthyIds.add(run.workflowId);
    } else if (deadWanted.has(run.workflowId)) counts.dead += 1;
    else if (run.startMs <= windowEndEpochMs) counts.other += 1;
  }
  return counts;
}

/** The dead endpoint's deliveries by status (held ones never got a run). */
export async function deliveryStatuses(pool: Pool, subscriptionId: string): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: string }>(
    `SELECT status, count(*) AS n FROM webhook_deliveries WHERE subscription_id = $1 GROUP BY status ORDER BY status`,
    [subscriptionId],
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Takes a dead endpoint's subscription out (no new deliveries) and terminates the runs still
 *  retrying against it, so the healthy burst after it runs without it. */
export async function pauseSubscription(pool: Pool, client: Client, subscriptionId: string): Promise<number> {
  await pool.query(`UPDATE webhook_subscriptions SET active = false WHERE id = $1`, [subscriptionId]);
  const { rows } = await pool.query<{ event_id: string }>(
    `SELECT event_id FROM webhook_deliveries WHERE subscription_id = $1 AND status IN ('pending', 'failed')`,
    [subscriptionId],
  );
  const ids = new Set(rows.map((r) => webhookDeliveryWorkflowId(subscriptionId, r.event_id)));
  // Runs visibility already shows as running, in case a row moved on meanwhile.
  try {
    for await (const info of client.workflow.list({
      query: `${TYPE} AND ExecutionStatus='Running'`,
      pageSize: 1_000,
    })) {
      if (info.workflowId.startsWith(`webhook:${subscriptionId}:`)) ids.add(info.workflowId);
    }
  } catch (err) {
    log(`could not list running delivery runs: ${err instanceof Error ? err.message : String(err)}`);
  }
  await Promise.all(
    [...ids].map((id) =>
      client.workflow
        .getHandle(id)
        .terminate('bench: dead endpoint paused for the healthy burst after it')
        .catch(() => undefined),
    ),
  );
  return ids.size;
}
