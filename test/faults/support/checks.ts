import type { FaultChannel, FaultSystem } from './fault-system';
import type { LoadMessage } from './waha-load';

/** What the database and Temporal hold for one channel's load, against what the load was answered. */
export interface Figures {
  'messages answered 2xx': number;
  'distinct messages stored': number;
  'answered but missing': number;
  'stored more than once': number;
  'stored, never sent': number;
  'stored though never answered 2xx': number;
  contacts: number;
  'contacts expected (senders of stored messages)': number;
  'contacts with more than one session': number;
  sessions: number;
  'messages without exactly one message.created': number;
  'sessions without exactly one session.started': number;
  'contacts without exactly one contact.created': number;
  'duplicate outbox events (type, aggregate)': number;
  'outbox pending or failed (all channels)': number;
  'outbox dead (all channels)': number;
  'active sessions without a running lifecycle workflow': number;
  'workflows failed (started since the case began)': number;
  'outbox processors running': number;
  'running lifecycle workflows minus active sessions (all channels)': number;
  /** Samples of the offending ids, for the report. */
  samples: Record<string, string[]>;
}

const SAMPLE = 5;

/** Collects every figure. Reads only: safe to call in a loop while the system catches up. */
export async function collectFigures(
  system: FaultSystem,
  channel: FaultChannel,
  phonePrefix: string,
  sent: LoadMessage[],
  since: Date,
): Promise<Figures> {
  const samples: Record<string, string[]> = {};
  const answered = new Map(sent.filter((m) => m.answered).map((m) => [m.rawId, m]));
  const sentIds = new Set(sent.map((m) => m.rawId));

  // One message is (channel, WhatsApp raw id) whatever spelling of its id a delivery used.
  const stored = await system.query<{ raw: string; n: number; phone: string }>(
    `SELECT wa_raw_id AS raw, count(*)::int AS n, min(split_part(wa_chat_id, '@', 1)) AS phone
       FROM messages WHERE channel_id = $1 AND direction = 'inbound' GROUP BY wa_raw_id`,
    [channel.id],
  );
  const storedIds = new Map(stored.map((r) => [r.raw, r]));
  const missing = [...answered.keys()].filter((id) => !storedIds.has(id));
  const doubled = stored.filter((r) => r.n > 1);
  const neverSent = stored.filter((r) => !sentIds.has(r.raw));
  const unanswered = stored.filter((r) => sentIds.has(r.raw) && !answered.has(r.raw));
  samples['answered but missing'] = missing.slice(0, SAMPLE);
  samples['stored more than once'] = doubled.slice(0, SAMPLE).map((r) => `${r.raw} x${r.n}`);
  samples['stored, never sent'] = neverSent.slice(0, SAMPLE).map((r) => r.raw);

  const contacts = await system.query<{ id: string; phone: string; sessions: number }>(
    `SELECT c.id, c.phone, (SELECT count(*)::int FROM sessions s WHERE s.contact_id = c.id AND s.channel_id = $2) AS sessions
       FROM contacts c WHERE c.phone LIKE $1 AND c.deleted_at IS NULL`,
    [`${phonePrefix}%`, channel.id],
  );
  const expectedContacts = new Set(stored.map((r) => r.phone));
  const multiSession = contacts.filter((c) => c.sessions > 1);
  samples['contacts with more than one session'] = multiSession
    .slice(0, SAMPLE)
    .map((c) => `${c.phone} x${c.sessions}`);

  /** Per aggregate of `aggregates` (a query over $2), how many outbox events of `type` it has. */
  const eventCounts = async (type: string, aggregates: string, param: string) =>
    system.query<{ id: string; n: number }>(
      `SELECT a.id::text AS id, coalesce(e.n, 0)::int AS n FROM (${aggregates}) a
         LEFT JOIN (SELECT aggregate_id, count(*) AS n FROM outbox_events WHERE type = $1 GROUP BY aggregate_id) e ON e.aggregate_id = a.id::text`,
      [type, param],
    );
  const messageEvents = (
    await eventCounts(
      'message.created',
      `SELECT id FROM messages WHERE channel_id = $2 AND direction = 'inbound'`,
      channel.id,
    )
  ).filter((r) => r.n !== 1);
  const sessionRows = await system.query<{ id: string; status: string }>(
    `SELECT id, status FROM sessions WHERE channel_id = $1`,
    [channel.id],
  );
  const sessionEvents = (
    await eventCounts('session.started', `SELECT id FROM sessions WHERE channel_id = $2`, channel.id)
  ).filter((r) => r.n !== 1);
  const contactEvents = (
    await eventCounts('contact.created', `SELECT id FROM contacts WHERE phone LIKE $2`, `${phonePrefix}%`)
  ).filter((r) => r.n !== 1);
  samples['messages without exactly one message.created'] = messageEvents
    .slice(0, SAMPLE)
    .map((r) => `${r.id} x${r.n}`);
  samples['sessions without exactly one session.started'] = sessionEvents
    .slice(0, SAMPLE)
    .map((r) => `${r.id} x${r.n}`);
  samples['contacts without exactly one contact.created'] = contactEvents
    .slice(0, SAMPLE)
    .map((r) => `${r.id} x${r.n}`);

  const duplicates = await system.query<{ type: string; aggregate_id: string; n: number }>(
    `SELECT type, aggregate_id, count(*)::int AS n FROM outbox_events
      WHERE type IN ('message.created', 'session.started', 'contact.created', 'session.timeout_warning')
      GROUP BY type, aggregate_id HAVING count(*) > 1`,
  );
  samples['duplicate outbox events (type, aggregate)'] = duplicates
    .slice(0, SAMPLE)
    .map((d) => `${d.type} ${d.aggregate_id} x${d.n}`);
  const outbox = await system.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM outbox_events GROUP BY status`,
  );
  const outboxCount = (...statuses: string[]) =>
    outbox.filter((r) => statuses.includes(r.status)).reduce((n, r) => n + r.n, 0);

  const active = sessionRows.filter((s) => s.status === 'active');
  const unwatched = await sessionsWithoutLifecycle(
    system,
    active.map((s) => s.id),
  );
  samples['active sessions without a running lifecycle workflow'] = unwatched.slice(0, SAMPLE);
  const failed = await listWorkflows(system, `ExecutionStatus="Failed" AND StartTime >= "${since.toISOString()}"`);
  samples['workflows failed (started since the case began)'] = failed.slice(0, SAMPLE);
  const processors = await listWorkflows(
    system,
    'WorkflowType="OutboxProcessorWorkflow" AND ExecutionStatus="Running"',
  );
  const lifecycles = await countWorkflows(
    system,
    'WorkflowType="SessionLifecycleWorkflow" AND ExecutionStatus="Running"',
  );
  const activeSessions =
    (await system.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE status = 'active'`))[0]?.n ?? 0;

  return {
    'messages answered 2xx': answered.size,
    'distinct messages stored': stored.length,
    'answered but missing': missing.length,
    'stored more than once': doubled.length,
    'stored, never sent': neverSent.length,
    'stored though never answered 2xx': unanswered.length,
    contacts: contacts.length,
    'contacts expected (senders of stored messages)': expectedContacts.size,
    'contacts with more than one session': multiSession.length,
    sessions: sessionRows.length,
    'messages without exactly one message.created': messageEvents.length,
    'sessions without exactly one session.started': sessionEvents.length,
    'contacts without exactly one contact.created': contactEvents.length,
    'duplicate outbox events (type, aggregate)': duplicates.length,
    'outbox pending or failed (all channels)': outboxCount('pending', 'failed'),
    'outbox dead (all channels)': outboxCount('dead'),
    'active sessions without a running lifecycle workflow': unwatched.length,
    'workflows failed (started since the case began)': failed.length,
    'outbox processors running': processors.length,
    'running lifecycle workflows minus active sessions (all channels)': lifecycles - activeSessions,
    samples,
  };
}

/** The system has caught up: nothing owed is missing and the outbox is drained. */
export function settled(f: Figures): boolean {
  return (
    f['answered but missing'] === 0 &&
    f['outbox pending or failed (all channels)'] === 0 &&
    f['messages without exactly one message.created'] === 0 &&
    f['sessions without exactly one session.started'] === 0 &&
    f['contacts without exactly one contact.created'] === 0 &&
    f['active sessions without a running lifecycle workflow'] === 0 &&
    f['running lifecycle workflows minus active sessions (all channels)'] === 0
  );
}

/** Active sessions whose `session:{id}` workflow is not running (describe per session). */
async function sessionsWithoutLifecycle(system: FaultSystem, sessionIds: string[]): Promise<string[]> {
  const unwatched: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < sessionIds.length) {
      const id = sessionIds[next++]!;
      const status = await system.temporalClient.workflow
        .getHandle(`session:${id}`)
        .describe()
        .then(
          (d) => d.status.name,
          (err: Error) => err.name,
        );
      if (status !== 'RUNNING') unwatched.push(`${id} (${status})`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return unwatched;
}

export async function countWorkflows(system: FaultSystem, query: string): Promise<number> {
  return (await system.temporalClient.workflow.count(query)).count;
}

export async function listWorkflows(system: FaultSystem, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of system.temporalClient.workflow.list({ query })) ids.push(`${wf.type} ${wf.workflowId}`);
  return ids;
}

/** Prints the figures as a table (pass or fail) with the expected value beside each. */
export function printFigures(
  title: string,
  figures: Figures,
  expected: Partial<Record<keyof Figures, number>>,
  extra: Record<string, unknown> = {},
): void {
  const rows: Record<string, { value: unknown; expected?: unknown }> = {};
  for (const [key, value] of Object.entries(extra)) rows[key] = { value };
  for (const [key, value] of Object.entries(figures)) {
    if (key === 'samples') continue;
    rows[key] = { value, expected: expected[key as keyof Figures] };
  }
  const samples = Object.entries(figures.samples).filter(([, s]) => s.length > 0);
  console.log(
    `${title}\n` +
      Object.entries(rows)
        .map(
          ([k, r]) =>
            `  ${k.padEnd(56)} ${String(r.value).padStart(10)}${r.expected !== undefined ? `   expected ${r.expected}${r.expected === r.value ? '' : '   <-- MISMATCH'}` : ''}`,
        )
        .join('\n') +
      (samples.length ? `\n  samples:\n${samples.map(([k, s]) => `    ${k}: ${s.join(', ')}`).join('\n')}` : ''),
  );
}

/** The expectations every load case shares: each message answered 2xx stored exactly once, with its
 *  events (message.created per message, session.started per session, contact.created per contact). */
export function expectedAfterLoad(answered: number): Partial<Record<keyof Figures, number>> {
  return {
    'messages answered 2xx': answered,
    'answered but missing': 0,
    'stored more than once': 0,
    'stored, never sent': 0,
    'contacts with more than one session': 0,
    'messages without exactly one message.created': 0,
    'sessions without exactly one session.started': 0,
    'contacts without exactly one contact.created': 0,
    'duplicate outbox events (type, aggregate)': 0,
    'outbox pending or failed (all channels)': 0,
    'outbox dead (all channels)': 0,
    'active sessions without a running lifecycle workflow': 0,
    'workflows failed (started since the case began)': 0,
    'outbox processors running': 1,
    'running lifecycle workflows minus active sessions (all channels)': 0,
  };
}
