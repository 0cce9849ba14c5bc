import { createHmac, randomUUID } from 'node:crypto';
import { type Pool } from 'pg';

/** The events of `npm run bench:webhooks` and the request the worker makes of each, shared by the
 *  bench (outbox rows) and the plain-POST floor (support/webhooks-floor.ts), so both send the same bytes. */

const CONTACT_NAMES = ['Ana Souza', 'Bruno Lima', 'Carla Dias', 'Davi Rocha', 'Eva Prado'];

/** The `contact.created` payload CreateContactHandler writes, for contact number `seq`. */
export function contactCreatedPayload(seq: number, contactId: string, now: string): Record<string, unknown> {
  const phone = `55119${String(seq).padStart(8, '0')}`;
  return {
    id: contactId,
    phone,
    whatsappId: `${phone}@c.us`,
    name: CONTACT_NAMES[seq % CONTACT_NAMES.length],
    profilePictureUrl: null,
    source: 'api',
    createdAt: now,
  };
}

/** One contact.created event committed on its own (autocommit INSERT: its own transaction, with the
 *  outbox trigger's NOTIFY delivered at commit), as CreateContactHandler's transaction commits it. */
export async function writeContactCreated(pool: Pool, tenantId: string, seq: number): Promise<string> {
  const id = randomUUID();
  const contactId = randomUUID();
  const now = new Date().toISOString();
  await pool.query(
    `INSERT INTO outbox_events (id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at) VALUES ($1, $2, 'contact', $3, 'contact.created', $4, $5)`,
    [id, tenantId, contactId, JSON.stringify(contactCreatedPayload(seq, contactId, now)), now],
  );
  return id;
}

/** The body WebhookDispatchService sends: `{ id, type, occurredAt, tenantId, data }`, compact JSON. */
export function webhookBody(eventId: string, tenantId: string, seq: number): string {
  const now = new Date().toISOString();
  return JSON.stringify({
    id: eventId,
    type: 'contact.created',
    occurredAt: now,
    tenantId,
    data: contactCreatedPayload(seq, randomUUID(), now),
  });
}

/** Standard Webhooks v1 headers, as signWebhook (libs/webhook) computes them: HMAC-SHA256 of
 *  `{id}.{timestamp}.{body}` with the key inside the `whsec_` secret. */
export function signedHeaders(secret: string, eventId: string, body: string): Record<string, string> {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const timestamp = String(Math.floor(Date.now() / 1_000));
  const signature = createHmac('sha256', key).update(`${eventId}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'user-agent': 'crm-messaging-webhooks/1.0',
    'webhook-id': eventId,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}
