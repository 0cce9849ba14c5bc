import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';

/** The rows a message needs: a channel, a contact and an active session between them. */
export interface SeededConversation {
  tenantId: string;
  channelId: string;
  contactId: string;
  sessionId: string;
}

/**
 * Inserts a channel, a contact and a session for `tenantId` with plain SQL (the Channel and Session
 * contexts own those tables; tests of the Message context only need rows to point at). Pass
 * `channelId`/`contactId` to reuse existing rows.
 */
export async function seedConversation(
  db: DataSource,
  tenantId: string,
  options: { channelId?: string; contactId?: string; phone?: string } = {},
): Promise<SeededConversation> {
  const now = new Date();
  const channelId = options.channelId ?? randomUUID();
  if (!options.channelId) {
    await db.query(
      `INSERT INTO channels (id, tenant_id, name, waha_base_url, waha_session, webhook_secret_enc, created_at, updated_at)
       VALUES ($1, $2, $3, 'http://127.0.0.1:3000', 'default', 'test-secret', $4, $4)`,
      [channelId, tenantId, `channel ${channelId}`, now],
    );
  }
  const contactId = options.contactId ?? randomUUID();
  if (!options.contactId) {
    const phone = options.phone ?? `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    await db.query(
      `INSERT INTO contacts (id, tenant_id, phone, whatsapp_id, source, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'whatsapp', $5, $5)`,
      [contactId, tenantId, phone, `${phone}@c.us`, now],
    );
  }
  const sessionId = randomUUID();
  await db.query(
    `INSERT INTO sessions (id, tenant_id, contact_id, channel_id, status, started_at, last_activity_at, timeout_seconds, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'ended', $5, $5, 1800, $5, $5)`,
    [sessionId, tenantId, contactId, channelId, now],
  );
  return { tenantId, channelId, contactId, sessionId };
}
