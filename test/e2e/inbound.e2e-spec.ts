import { freshWahaFixture, wahaFixture } from '../fixtures/waha';
import { signWahaBody } from '@app/inbound';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';
import { eventually } from '../support/nest';

/** WAHA webhooks through the receiver, the saga and the lifecycle workflow, with the fixtures. */
describe('inbound WhatsApp traffic (e2e, saga mode)', () => {
  let h: ConversationHarness;
  let tenant: { tenantId: string; apiKey: string };
  let channel: HarnessChannel;

  const messageCount = async (externalId: string) =>
    (
      await h.query(`SELECT count(*)::int AS n FROM messages WHERE channel_id = $1 AND external_id = $2`, [
        channel.id,
        externalId,
      ])
    )[0].n as number;
  const waitForMessage = (externalId: string) =>
    eventually(
      async () =>
        (
          await h.query(`SELECT * FROM messages WHERE channel_id = $1 AND external_id = $2`, [channel.id, externalId])
        )[0],
      20_000,
      `message ${externalId}`,
    );

  beforeAll(async () => {
    h = await ConversationHarness.start('crm-inbound');
    tenant = await h.createTenant();
    channel = await h.createChannel(tenant.apiKey);
  });
  afterAll(() => h?.close());

  it('turns a text message into a contact, a session (with its lifecycle workflow) and a message, with their events', async () => {
    const body = freshWahaFixture('webhook-message-text');
    const res = await h.postWebhook(channel, body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'accepted', mode: 'saga', duplicate: false });
    await h.workflowResult(res.body.workflowId);

    const message = await waitForMessage(body.payload.id);
    expect(message).toMatchObject({
      direction: 'inbound',
      type: 'text',
      status: 'received',
      text: 'Pode mandar sim, obrigada!',
    });
    expect(message.sent_at.getTime()).toBe(body.payload.timestamp * 1000);
    const [contact] = await h.query(`SELECT * FROM contacts WHERE id = $1`, [message.contact_id]);
    expect(contact).toMatchObject({
      phone: '5511999990001',
      name: 'Ana Souza',
      source: 'whatsapp',
      tenant_id: tenant.tenantId,
    });
    const [session] = await h.query(`SELECT * FROM sessions WHERE id = $1`, [message.session_id]);
    expect(session).toMatchObject({ status: 'active', channel_id: channel.id, contact_id: contact.id });

    const lifecycle = await h.temporal.workflow.getHandle(`session:${session.id}`).describe();
    expect(lifecycle.status.name).toBe('RUNNING');

    const events = await h.query(
      `SELECT type, correlation_id FROM outbox_events WHERE tenant_id = $1 AND aggregate_id = ANY($2) ORDER BY created_at`,
      [tenant.tenantId, [contact.id, session.id, message.id]],
    );
    expect(events.map((e) => e.type)).toEqual(['contact.created', 'session.started', 'message.created']);
    expect(new Set(events.map((e) => e.correlation_id))).toEqual(new Set([res.body.workflowId]));
  });

  it('keeps WhatsApp time exactly (seconds-correct UTC) even for an old message', async () => {
    const body = wahaFixture('webhook-message-image');
    body.payload.id = body.payload.id.replace('5511999990001', '5511999990066');
    const res = await h.postWebhook(channel, body);
    expect(res.status).toBe(202);
    await h.workflowResult(res.body.workflowId);
    const message = await waitForMessage(body.payload.id);
    expect(message.sent_at.toISOString()).toBe('2026-03-10T13:00:40.000Z');
    expect(message).toMatchObject({ type: 'image', text: 'Essa é a tela que aparece pra mim' });
    expect(message.media).toMatchObject({
      mimetype: 'image/jpeg',
      url: 'http://localhost:3000/api/files/default/AC2B7E1F4D9A3C5E8B0F6A2D4C7E9B13.jpeg',
    });
    // Its session opened at 13:00:40 in March: long past its 30-minute timeout, so it has ended.
    const [session] = await eventually(async () => {
      const rows = await h.query(`SELECT * FROM sessions WHERE id = $1 AND status = 'ended'`, [message.session_id]);
      return rows.length ? rows : undefined;
    });
    expect(session.end_reason).toBe('inactivity');
    expect(session.ended_at.toISOString()).toBe('2026-03-10T13:30:40.000Z');
  });

  it('processes the same delivery five times concurrently into one message', async () => {
    const body = freshWahaFixture('webhook-message-text', { rawId: 'AC00000000000000000000000000DUP5' });
    const responses = await Promise.all(Array.from({ length: 5 }, () => h.postWebhook(channel, body)));
    for (const r of responses) expect(r.status).toBe(202);
    expect(responses.filter((r) => !r.body.duplicate).length).toBeGreaterThanOrEqual(1);
    await h.workflowResult(responses[0]!.body.workflowId);
    await waitForMessage(body.payload.id);
    expect(await messageCount(body.payload.id)).toBe(1);
    const events = await h.query(
      `SELECT count(*)::int AS n FROM outbox_events WHERE type = 'message.created' AND payload->>'externalId' = $1`,
      [body.payload.id],
    );
    expect(events[0].n).toBe(1);
  });

  it('processes a message arriving as both message and message.any once', async () => {
    const asMessage = freshWahaFixture('webhook-message-text', { rawId: 'AC0000000000000000000000000BOTH1' });
    const asAny = { ...asMessage, id: `${asMessage.id}-any`, event: 'message.any' };
    const [a, b] = await Promise.all([h.postWebhook(channel, asMessage), h.postWebhook(channel, asAny)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.workflowId).toBe(b.body.workflowId);
    await h.workflowResult(a.body.workflowId);
    expect(await messageCount(asMessage.payload.id)).toBe(1);
  });

  it('ignores group messages unless the channel allows groups; then the participant is the contact', async () => {
    const body = freshWahaFixture('webhook-message-group');
    const ignored = await h.postWebhook(channel, body);
    expect(ignored.status).toBe(200);
    expect(ignored.body).toMatchObject({ status: 'ignored', reason: expect.stringContaining('group') });
    expect(await messageCount(body.payload.id)).toBe(0);

    const patched = await h.call('PATCH', `/v1/channels/${channel.id}`, {
      apiKey: tenant.apiKey,
      body: { allowGroups: true },
    });
    expect(patched.status).toBe(200);
    const accepted = await h.postWebhook(channel, body);
    expect(accepted.status).toBe(202);
    await h.workflowResult(accepted.body.workflowId);
    const message = await waitForMessage(body.payload.id);
    const [contact] = await h.query(`SELECT phone, name FROM contacts WHERE id = $1`, [message.contact_id]);
    expect(contact).toEqual({ phone: '5511999990002', name: 'Bruno Lima' });
    expect(message.metadata).toMatchObject({
      groupChatId: '120363400000000001@g.us',
      participant: '123450000000002@lid',
    });
    await h.call('PATCH', `/v1/channels/${channel.id}`, { apiKey: tenant.apiKey, body: { allowGroups: false } });
  });

  it('applies acks delivered out of order, and an ack that overtakes its message', async () => {
    const outgoing = freshWahaFixture('webhook-message-any-outgoing-api', { rawId: '3EB0AAAAAAAAAAAAAAAA01' });
    const ack = (level: number, name: string) => {
      const body = freshWahaFixture('webhook-message-ack');
      body.payload = { ...body.payload, id: outgoing.payload.id, ack: level, ackName: name };
      return body;
    };
    // DEVICE arrives before the message itself.
    const early = await h.postWebhook(channel, ack(2, 'DEVICE'));
    expect(early.status).toBe(202);
    expect(early.body).toMatchObject({ outcome: 'pending' });
    const created = await h.postWebhook(channel, outgoing);
    await h.workflowResult(created.body.workflowId);
    expect((await waitForMessage(outgoing.payload.id)).status).toBe('delivered');

    expect((await h.postWebhook(channel, ack(3, 'READ'))).status).toBe(202);
    const stale = await h.postWebhook(channel, ack(2, 'DEVICE'));
    expect(stale.status).toBe(200);
    expect(stale.body.status).toBe('ignored');
    const message = await waitForMessage(outgoing.payload.id);
    expect(message).toMatchObject({ status: 'read', direction: 'outbound' });
  });

  it('marks a revoked message deleted', async () => {
    const revoked = freshWahaFixture('webhook-message-revoked');
    const original = freshWahaFixture('webhook-message-text', { rawId: revoked.payload.revokedMessageId });
    const created = await h.postWebhook(channel, original);
    await h.workflowResult(created.body.workflowId);
    const res = await h.postWebhook(channel, revoked);
    expect(res.status).toBe(202);
    const message = await waitForMessage(original.payload.id);
    expect(message.status).toBe('deleted');
    expect(message.revoked_at).not.toBeNull();
    // A revoke of a message not stored (yet) is held for it, not dropped.
    const early = freshWahaFixture('webhook-message-revoked');
    early.payload.revokedMessageId = 'AC0000000000000000000000000NOPE1';
    const held = await h.postWebhook(channel, early);
    expect({ status: held.status, body: held.body }).toMatchObject({
      status: 202,
      body: { status: 'accepted', outcome: 'held' },
    });
    expect(
      await h.query(`SELECT kind FROM held_message_events WHERE channel_id = $1 AND wa_raw_id = $2`, [
        channel.id,
        'AC0000000000000000000000000NOPE1',
      ]),
    ).toEqual([{ kind: 'revoke' }]);
  });

  it('rejects a wrong HMAC with 401 and records nothing; an unknown channel is a 404', async () => {
    const body = freshWahaFixture('webhook-message-text', { rawId: 'AC0000000000000000000000000HMAC1' });
    const forged = await h.postWebhook(channel, body, signWahaBody(JSON.stringify(body), 'not-the-secret'));
    expect(forged.status).toBe(401);
    const missing = await fetch(`${h.apiUrl}/v1/channels/${channel.id}/waha/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(missing.status).toBe(401);
    expect(await messageCount(body.payload.id)).toBe(0);
    expect((await h.postWebhook({ id: '00000000-0000-4000-8000-000000000000', webhookSecret: 'x' }, body)).status).toBe(
      404,
    );
  });

  it('answers 400 naming the field for a malformed body, and records nothing', async () => {
    const body = freshWahaFixture('webhook-message-text', { rawId: 'AC0000000000000000000000000BAD01' });
    body.payload.timestamp = 'yesterday';
    const res = await h.postWebhook(channel, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'payload.timestamp' });
    expect(await messageCount(body.payload.id)).toBe(0);
  });

  it("cannot be routed into another tenant's channel by the body's session field", async () => {
    const other = await h.createTenant('Other');
    const otherChannel = await h.createChannel(other.apiKey, { wahaSession: 'other-session' });
    const body = freshWahaFixture('webhook-message-text', { rawId: 'AC0000000000000000000000000SESS1' });
    body.session = 'other-session';
    body.metadata = { 'crm.tenant': other.tenantId };
    const res = await h.postWebhook(channel, body);
    expect(res.status).toBe(202);
    await h.workflowResult(res.body.workflowId);
    const message = await waitForMessage(body.payload.id);
    expect(message.tenant_id).toBe(tenant.tenantId);
    expect(message.channel_id).toBe(channel.id);
    expect(
      (await h.query(`SELECT count(*)::int AS n FROM messages WHERE channel_id = $1`, [otherChannel.id]))[0].n,
    ).toBe(0);
    // The other tenant's secret cannot post into this channel either.
    expect((await h.postWebhook({ id: channel.id, webhookSecret: otherChannel.webhookSecret }, body)).status).toBe(401);
  });

  it('records a click-to-WhatsApp ad conversion and copies it as first touch to contact and session', async () => {
    const body = freshWahaFixture('webhook-message-ctwa-ad');
    body.payload.id = body.payload.id.replace('5511999990001', '5511999990077');
    const res = await h.postWebhook(channel, body);
    const result = (await h.workflowResult(res.body.workflowId)) as {
      adConversionRecorded: boolean;
      messageId: string;
      contactId: string;
      sessionId: string;
    };
    expect(result.adConversionRecorded).toBe(true);
    const [conversion] = await h.query(`SELECT * FROM ad_conversions WHERE message_id = $1`, [result.messageId]);
    expect(conversion).toMatchObject({
      source_id: '120210000000000001',
      ctwa_clid: 'Afc3nYt8WqKx2mP0dLr7sVb1eZg9hJ4oN6uI5yT0aQwXcEr2',
      entry_point: 'ctwa_ad',
    });
    const [contact] = await h.query(`SELECT first_touch FROM contacts WHERE id = $1`, [result.contactId]);
    const [session] = await h.query(`SELECT first_touch FROM sessions WHERE id = $1`, [result.sessionId]);
    expect(contact.first_touch).toMatchObject({
      sourceId: '120210000000000001',
      sourceUrl: 'https://fb.me/1AbCdEfGhIjK',
    });
    expect(session.first_touch).toMatchObject({ sourceId: '120210000000000001' });
    const [message] = await h.query(`SELECT metadata FROM messages WHERE id = $1`, [result.messageId]);
    expect(message.metadata.adReferral).toMatchObject({ sourceId: '120210000000000001' });
    const events = await h.query(
      `SELECT type FROM outbox_events WHERE aggregate_id = $1 OR (type = 'tracking.ad_conversion' AND payload->>'messageId' = $1)`,
      [result.messageId],
    );
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['message.created', 'tracking.ad_conversion']));
  });

  it('records session status reports on the channel', async () => {
    const res = await h.postWebhook(channel, freshWahaFixture('webhook-session-status'));
    expect(res.status).toBe(202);
    const shown = await h.call('GET', `/v1/channels/${channel.id}`, { apiKey: tenant.apiKey });
    expect(shown.body.wahaStatus).toBe('WORKING');
  });

  it('closes a session by hand through its lifecycle workflow, and the next message opens a new session', async () => {
    const body = freshWahaFixture('webhook-message-text', { rawId: 'AC0000000000000000000000000CLOS1' });
    body.payload.id = body.payload.id.replace('5511999990001', '5511999990088');
    const res = await h.postWebhook(channel, body);
    const { sessionId } = (await h.workflowResult(res.body.workflowId)) as { sessionId: string };

    const closed = await h.call('POST', `/v1/sessions/${sessionId}/close`, { apiKey: tenant.apiKey });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ id: sessionId, status: 'ended', endReason: 'manual' });
    expect(closed.body.summary).toMatchObject({ messagesInbound: 1, messagesOutbound: 0 });
    const lifecycle = await h.temporal.workflow.getHandle(`session:${sessionId}`).describe();
    expect(lifecycle.status.name).toBe('COMPLETED');
    const other = await h.createTenant('Stranger');
    expect((await h.call('POST', `/v1/sessions/${sessionId}/close`, { apiKey: other.apiKey })).status).toBe(404);

    const next = freshWahaFixture('webhook-message-text', { rawId: 'AC0000000000000000000000000CLOS2' });
    next.payload.id = next.payload.id.replace('5511999990001', '5511999990088');
    const nextRes = await h.postWebhook(channel, next);
    const second = (await h.workflowResult(nextRes.body.workflowId)) as { sessionId: string; sessionOpened: boolean };
    expect(second.sessionOpened).toBe(true);
    expect(second.sessionId).not.toBe(sessionId);
    expect((await h.query(`SELECT status FROM sessions WHERE id = $1`, [sessionId]))[0].status).toBe('ended');
  });

  it('lists sessions and messages through the API with filters', async () => {
    const sessions = await h.call('GET', `/v1/sessions?channelId=${channel.id}&status=active&limit=100`, {
      apiKey: tenant.apiKey,
    });
    expect(sessions.status).toBe(200);
    expect(sessions.body.data.length).toBeGreaterThan(0);
    expect(sessions.body.data.every((s: { status: string }) => s.status === 'active')).toBe(true);
    const sessionId = sessions.body.data[0].id;
    const messages = await h.call('GET', `/v1/messages?sessionId=${sessionId}`, { apiKey: tenant.apiKey });
    expect(messages.status).toBe(200);
    expect(messages.body.data.every((m: { sessionId: string }) => m.sessionId === sessionId)).toBe(true);
    expect((await h.call('GET', '/v1/messages?sessionId=nope', { apiKey: tenant.apiKey })).status).toBe(400);
  });
});
