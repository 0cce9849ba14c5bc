import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Client } from 'pg';

/**
 * The floor of `npm run bench:import`: what PostgreSQL needs to store the same rows with nothing
 * else in the way. A plain script copies what the import stored for a case (its contacts and its
 * channel's messages, every column, read back untimed) under a scratch tenant and channel, with one
 * ended session per contact, as multi-row INSERT statements of `batchRows` rows each (each statement
 * its own transaction, autocommit), in the same database and through the same indexes. Timed: the
 * INSERT statements only. No outbox events, no workflow, no WAHA paging, no parsing: the part of the
 * import's wall time above this floor is what the import's own machinery costs.
 */

export interface FloorTarget {
  tenantId: string;
  channelId: string;
}

export interface FloorResult {
  contacts: number;
  sessions: number;
  messages: number;
  statements: number;
  wallSeconds: number;
  /** contacts + sessions + messages over the wall time. */
  rowsPerSecond: number;
  messagesPerSecond: number;
}

interface SourceMessage {
  contact_id: string;
  direction: string;
  external_id: string;
  wa_chat_id: string;
  wa_raw_id: string;
  type: string;
  text: string | null;
  media: string | null;
  status: string;
  ack_level: number | null;
  sent_at: Date;
  metadata: string;
}

/** `INSERT INTO table (cols) VALUES (...), (...)` for `rows`, parameters numbered in order. */
function multiRowInsert(table: string, columns: string[], rows: unknown[][]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const marks = row.map((v) => {
      values.push(v);
      return `$${values.length}`;
    });
    return `(${marks.join(', ')})`;
  });
  return { text: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values };
}

export async function runInsertFloor(
  db: Client,
  source: { tenantId: string; channelId: string },
  target: FloorTarget,
  batchRows = 1_000,
): Promise<FloorResult> {
  // Untimed: read back what the import stored, and plan the scratch rows.
  const contacts = (
    await db.query<{ id: string; phone: string; whatsapp_id: string | null; name: string | null }>(
      `SELECT id, phone, whatsapp_id, name FROM contacts WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY phone`,
      [source.tenantId],
    )
  ).rows;
  const messages = (
    await db.query<SourceMessage>(
      `SELECT contact_id, direction, external_id, wa_chat_id, wa_raw_id, type, text, media::text AS media, status, ack_level, sent_at, metadata::text AS metadata
         FROM messages WHERE channel_id = $1 ORDER BY contact_id, sent_at`,
      [source.channelId],
    )
  ).rows;
  const now = new Date();
  const contactIds = new Map(contacts.map((c) => [c.id, randomUUID()]));
  const perContact = new Map<string, { first: Date; last: Date; total: number; inbound: number }>();
  for (const m of messages) {
    const s = perContact.get(m.contact_id);
    if (!s)
      perContact.set(m.contact_id, {
        first: m.sent_at,
        last: m.sent_at,
        total: 1,
        inbound: m.direction === 'inbound' ? 1 : 0,
      });
    else {
      if (m.sent_at < s.first) s.first = m.sent_at;
      if (m.sent_at > s.last) s.last = m.sent_at;
      s.total += 1;
      if (m.direction === 'inbound') s.inbound += 1;
    }
  }
  const sessionIds = new Map([...perContact.keys()].map((contactId) => [contactId, randomUUID()]));

  const contactRows = contacts.map((c) => [
    contactIds.get(c.id),
    target.tenantId,
    c.phone,
    c.whatsapp_id,
    c.name,
    'import',
    now,
    now,
    1,
  ]);
  const sessionRows = [...perContact.entries()].map(([contactId, s]) => [
    sessionIds.get(contactId),
    target.tenantId,
    contactIds.get(contactId),
    target.channelId,
    'ended',
    s.first,
    s.last,
    new Date(s.last.getTime() + 1_800_000),
    'import',
    1_800,
    JSON.stringify({
      messagesTotal: s.total,
      messagesInbound: s.inbound,
      messagesOutbound: s.total - s.inbound,
      firstMessageAt: s.first.toISOString(),
      lastMessageAt: s.last.toISOString(),
      durationSeconds: Math.round((s.last.getTime() - s.first.getTime()) / 1_000),
    }),
    now,
    now,
    1,
  ]);
  const messageRows = messages.map((m) => [
    randomUUID(),
    target.tenantId,
    sessionIds.get(m.contact_id),
    contactIds.get(m.contact_id),
    target.channelId,
    m.direction,
    m.external_id,
    m.wa_chat_id,
    m.wa_raw_id,
    m.type,
    m.text,
    m.media,
    m.status,
    m.ack_level,
    m.sent_at,
    m.metadata,
    now,
    now,
  ]);
  if (messageRows.some((r) => r[2] === undefined || r[3] === undefined))
    throw new Error('floor: a stored message has a contact outside its tenant');

  const tables: { table: string; columns: string[]; rows: unknown[][] }[] = [
    {
      table: 'contacts',
      columns: ['id', 'tenant_id', 'phone', 'whatsapp_id', 'name', 'source', 'created_at', 'updated_at', 'version'],
      rows: contactRows,
    },
    {
      table: 'sessions',
      columns: [
        'id',
        'tenant_id',
        'contact_id',
        'channel_id',
        'status',
        'started_at',
        'last_activity_at',
        'ended_at',
        'end_reason',
        'timeout_seconds',
        'summary',
        'created_at',
        'updated_at',
        'version',
      ],
      rows: sessionRows,
    },
    {
      table: 'messages',
      columns: [
        'id',
        'tenant_id',
        'session_id',
        'contact_id',
        'channel_id',
        'direction',
        'external_id',
        'wa_chat_id',
        'wa_raw_id',
        'type',
        'text',
        'media',
        'status',
        'ack_level',
        'sent_at',
        'metadata',
        'created_at',
        'updated_at',
      ],
      rows: messageRows,
    },
  ];

  // Timed: the INSERT statements, in dependency order.
  let statements = 0;
  const started = performance.now();
  for (const { table, columns, rows } of tables) {
    for (let i = 0; i < rows.length; i += batchRows) {
      await db.query(multiRowInsert(table, columns, rows.slice(i, i + batchRows)));
      statements += 1;
    }
  }
  const wallSeconds = (performance.now() - started) / 1_000;

  const [{ n }] = (
    await db.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE channel_id = $1`, [target.channelId])
  ).rows;
  if (Number(n) !== messageRows.length)
    throw new Error(`floor: ${n} messages stored for the scratch channel, ${messageRows.length} inserted`);
  const rows = contactRows.length + sessionRows.length + messageRows.length;
  return {
    contacts: contactRows.length,
    sessions: sessionRows.length,
    messages: messageRows.length,
    statements,
    wallSeconds,
    rowsPerSecond: rows / wallSeconds,
    messagesPerSecond: messageRows.length / wallSeconds,
  };
}
