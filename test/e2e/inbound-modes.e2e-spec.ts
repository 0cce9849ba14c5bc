import { randomUUID } from 'node:crypto';
import { chooseInboundMode } from '@app/inbound';
import { freshWahaFixture, type FixtureJson } from '../fixtures/waha';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';
import { eventually } from '../support/nest';

type Row = Record<string, any>;
interface Side {
  tenantId: string;
  apiKey: string;
  channel: HarnessChannel;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Columns and event fields set from our own clock when a row or event is written: they differ
 *  between any two runs. WhatsApp times (sent_at, started_at, lastActivityAt, ...) are kept. */
const CLOCK_FIELDS = new Set([
  'created_at',
  'updated_at',
  'createdAt',
  'updatedAt',
  'receivedAt',
  'received_at',
  'occurredAt',
]);

/**
 * Saga mode and direct mode must write the same rows and raise the same events for the same WAHA
 * traffic (DESIGN section 5). Two tenants, one channel each (`saga`, `direct`), are fed the same
 * bodies in the same order; everything they wrote is compared once ids and clock times are
 * replaced by stable placeholders. Then the INBOUND_SAGA_PERCENT canary split, through the receiver.
 */
describe('inbound modes: saga and direct write the same rows and events (e2e)', () => {
  let h: ConversationHarness;
  let saga: Side;
  let direct: Side;

  beforeAll(async () => {
    // Channels without their own mode follow the default: saga for 50% of the messages (by id).
    h = await ConversationHarness.start('crm-modes', { INBOUND_MODE: 'saga', INBOUND_SAGA_PERCENT: '50' });
    const side = async (name: string, inboundMode: 'saga' | 'direct'): Promise<Side> => {
      const tenant = await h.createTenant(name);
      const channel = await h.createChannel(tenant.apiKey, { inboundMode, allowGroups: true });
      return { ...tenant, channel };
    };
    saga = await side('Saga Co', 'saga');
    direct = await side('Direct Co', 'direct');
  });
  afterAll(() => h?.close());

  /** Posts one body to the channel; for a saga, waits until the run has finished. */
  const deliver = async (side: Side, body: FixtureJson): Promise<Row> => {
    const res = await h.postWebhook(side.channel, body);
    expect(res.status).toBe(202);
    if (res.body.mode === 'saga') await h.workflowResult(res.body.workflowId);
    return res.body;
  };

  /** Replaces every id by a placeholder that names the same thing on both sides. */
  const placeholders = async (side: Side): Promise<Map<string, string>> => {
    const names = new Map<string, string>([
      [side.tenantId, '<tenant>'],
      [side.channel.id, '<channel>'],
    ]);
    const contacts = await h.query(`SELECT id, phone FROM contacts WHERE tenant_id = $1`, [side.tenantId]);
    for (const c of contacts) names.set(c.id, `<contact ${c.phone}>`);
    const sessions = await h.query(
      `SELECT s.id, c.phone, s.started_at FROM sessions s JOIN contacts c ON c.id = s.contact_id WHERE s.tenant_id = $1`,
      [side.tenantId],
    );
    for (const s of sessions) names.set(s.id, `<session ${s.phone} ${s.started_at.toISOString()}>`);
    // Messages deleted by a compensation are only in their events: those events name them too.
    const messages = await h.query(
      `SELECT id, external_id FROM messages WHERE tenant_id = $1
       UNION SELECT aggregate_id::uuid, payload->>'externalId' FROM outbox_events WHERE tenant_id = $1 AND aggregate_type = 'message'`,
      [side.tenantId],
    );
    for (const m of messages) names.set(m.id, `<message ${m.external_id}>`);
    const conversions = await h.query(
      `SELECT a.id, m.external_id FROM ad_conversions a JOIN messages m ON m.id = a.message_id WHERE a.tenant_id = $1`,
      [side.tenantId],
    );
    for (const a of conversions) names.set(a.id, `<ad conversion ${a.external_id}>`);
    return names;
  };

  const normalise = (value: unknown, names: Map<string, string>, key?: string): unknown => {
    if (key && CLOCK_FIELDS.has(key)) return value === null ? null : '<clock>';
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string') return value.replace(UUID, (id) => names.get(id.toLowerCase()) ?? '<unknown id>');
    if (Array.isArray(value)) return value.map((v) => normalise(v, names));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, normalise(v, names, k)]),
      );
    }
    return value;
  };

  /** Everything one tenant has: rows (ids and clock columns normalised) and its events as a multiset. */
  const snapshot = async (side: Side) => {
    const names = await placeholders(side);
    const rows = async (sql: string) => (await h.query(sql, [side.tenantId])).map((r) => normalise(r, names) as Row);
    const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    const events = // The channels' own events are setup (they differ by mode and name), not the traffic's.
      (
        await h.query(
          `SELECT type, aggregate_type, aggregate_id, payload FROM outbox_events WHERE tenant_id = $1 AND aggregate_type <> 'channel'`,
          [side.tenantId],
        )
      ).map(
        (e) =>
          normalise(
            { type: e.type, aggregate: `${e.aggregate_type} ${e.aggregate_id}`, data: e.payload },
            names,
          ) as Row,
      );
    events.sort(byJson);
    return {
      contacts: await rows(`SELECT * FROM contacts WHERE tenant_id = $1 ORDER BY phone, created_at`),
      sessions: (await rows(`SELECT * FROM sessions WHERE tenant_id = $1`)).sort(byJson),
      messages: await rows(`SELECT * FROM messages WHERE tenant_id = $1 ORDER BY external_id`),
      adConversions: (await rows(`SELECT * FROM ad_conversions WHERE tenant_id = $1`)).sort(byJson),
      messageGroups: (await rows(`SELECT * FROM message_groups WHERE tenant_id = $1`)).sort(byJson),
      eventTypes: events.map((e) => e.type as string).sort(),
      events,
    };
  };

  it('writes identical contacts, sessions, messages, ad conversions and events for the same traffic', async () => {
    const revoke = freshWahaFixture('webhook-message-revoked');
    const outgoing = freshWahaFixture('webhook-message-any-outgoing-api');
    const read = freshWahaFixture('webhook-message-ack');
    read.payload.id = outgoing.payload.id;
    const reaction = freshWahaFixture('webhook-message-reaction');
    reaction.payload.reaction.messageId = outgoing.payload.id;
    const traffic: FixtureJson[] = [
      // The text is the message revoked later on.
      freshWahaFixture('webhook-message-text', { rawId: revoke.payload.revokedMessageId }),
      freshWahaFixture('webhook-message-image'),
      freshWahaFixture('webhook-message-ctwa-ad'),
      outgoing,
      read,
      reaction,
      revoke,
      freshWahaFixture('webhook-message-text', { rawId: 'AC0000000000000000000000000SECOND' }),
      freshWahaFixture('webhook-message-group'),
    ];
    // Distinct WhatsApp times, one second apart and in order, so that every time copied into a row
    // or an event (sent_at, last activity, revokedAt, reactedAt...) tells which message it came from.
    const base = Math.floor(Date.now() / 1000) - traffic.length;
    traffic.forEach((body, i) => {
      if (typeof body.payload.timestamp === 'number') body.payload.timestamp = base + i;
      if (body.payload.after) body.payload.after.timestamp = base + i;
    });

    for (const body of traffic) {
      const [onSaga, onDirect] = [await deliver(saga, body), await deliver(direct, body)];
      expect({ event: body.event, saga: onSaga.status, direct: onDirect.status }).toEqual({
        event: body.event,
        saga: 'accepted',
        direct: 'accepted',
      });
      if (body.event === 'message' || body.event === 'message.any') {
        expect([onSaga.mode, onDirect.mode]).toEqual(['saga', 'direct']);
      } else {
        expect(onSaga.outcome).toBe(onDirect.outcome);
      }
    }

    const [fromSaga, fromDirect] = [await snapshot(saga), await snapshot(direct)];
    // What the traffic must have produced at all (so that equality is not of two empty sets).
    expect(fromSaga.contacts.map((c) => c.phone)).toEqual(['5511999990001', '5511999990002']);
    expect(fromSaga.messages).toHaveLength(6);
    expect(fromSaga.messages.find((m) => m.direction === 'outbound')).toMatchObject({ status: 'read' });
    expect(fromSaga.messages.find((m) => m.external_id.endsWith(revoke.payload.revokedMessageId))).toMatchObject({
      status: 'deleted',
    });
    expect(fromSaga.adConversions).toHaveLength(1);
    expect(fromSaga.eventTypes).toEqual(
      expect.arrayContaining(['contact.created', 'session.started', 'message.created', 'tracking.ad_conversion']),
    );
    // Every id was named, so no difference between the sides can hide behind a shared placeholder.
    expect(JSON.stringify([fromSaga, fromDirect])).not.toContain('<unknown id>');

    expect(fromDirect.eventTypes).toEqual(fromSaga.eventTypes);
    expect(fromDirect.contacts).toEqual(fromSaga.contacts);
    expect(fromDirect.sessions).toEqual(fromSaga.sessions);
    expect(fromDirect.messages).toEqual(fromSaga.messages);
    expect(fromDirect.adConversions).toEqual(fromSaga.adConversions);
    expect(fromDirect.messageGroups).toEqual(fromSaga.messageGroups);
    for (const type of new Set(fromSaga.eventTypes)) {
      const ofType = (events: Row[]) => events.filter((e) => e.type === type);
      expect({ type, events: ofType(fromDirect.events) }).toEqual({ type, events: ofType(fromSaga.events) });
    }
    expect(fromDirect.events).toEqual(fromSaga.events);
  });

  it('holds a reaction and a revoke that overtake their message and applies them when it lands, the same in both modes', async () => {
    const rawId = (tag: string) => `AC${tag}${randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24)}`;
    // The same bodies on both sides (different tenants and channels), as WAHA would send them.
    const text = freshWahaFixture('webhook-message-text', { rawId: rawId('TX') });
    const outgoing = freshWahaFixture('webhook-message-any-outgoing-api', { rawId: rawId('OU') });
    const t0 = Math.floor(Date.now() / 1000) - 60;
    text.payload.timestamp = t0;
    outgoing.payload.timestamp = t0 + 1;
    const reaction = (emoji: string, second: number) => {
      const body = freshWahaFixture('webhook-message-reaction', { rawId: rawId('RE') });
      body.payload.reaction = { text: emoji, messageId: outgoing.payload.id };
      body.payload.timestamp = t0 + second;
      return body;
    };
    const revoke = freshWahaFixture('webhook-message-revoked');
    revoke.payload.revokedMessageId = (text.payload.id as string).split('_')[2];
    revoke.payload.after.timestamp = t0 + 5;
    // The replacing reaction arrives before the one it replaces; the revoke twice (a redelivery).
    const early = [reaction('❤️', 4), reaction('👍', 3), revoke, revoke];

    const outcomes: Record<string, unknown> = {};
    const results: Record<string, { text: Row; outgoing: Row; events: string[][]; held: Row[] }> = {};
    for (const mode of ['saga', 'direct'] as const) {
      const tenant = await h.createTenant(`Early ${mode}`);
      const side: Side = { ...tenant, channel: await h.createChannel(tenant.apiKey, { inboundMode: mode }) };
      const answers = [];
      for (const body of early) {
        const res = await h.postWebhook(side.channel, body);
        answers.push([res.status, res.body.status, res.body.outcome]);
      }
      outcomes[mode] = answers;
      for (const body of [text, outgoing]) await deliver(side, body);

      const messageOf = async (externalId: string) =>
        eventually(
          async () =>
            (
              await h.query(
                `SELECT id, status, revoked_at, metadata FROM messages WHERE channel_id = $1 AND external_id = $2`,
                [side.channel.id, externalId],
              )
            )[0],
          20_000,
          `message ${externalId}`,
        );
      const [textRow, outgoingRow] = [await messageOf(text.payload.id), await messageOf(outgoing.payload.id)];
      const events = await h.query(
        `SELECT type, payload->>'externalId' AS external_id, payload->>'emoji' AS emoji FROM outbox_events
          WHERE tenant_id = $1 AND aggregate_type = 'message' ORDER BY created_at, id`,
        [side.tenantId],
      );
      results[mode] = {
        text: { status: textRow.status, revokedAt: textRow.revoked_at?.toISOString() ?? null },
        outgoing: { status: outgoingRow.status, reactions: outgoingRow.metadata.reactions },
        events: events.map((e: Row) => [e.type, e.external_id === text.payload.id ? 'text' : 'outgoing', e.emoji]),
        held: await h.query(`SELECT kind FROM held_message_events WHERE channel_id = $1`, [side.channel.id]),
      };
      const textAt = new Date((t0 + 5) * 1000).toISOString();
      expect({ mode, ...results[mode] }).toMatchObject({
        mode,
        text: { status: 'deleted', revokedAt: textAt },
        outgoing: {
          reactions: { '5511999990001@c.us': { emoji: '❤️', reactedAt: new Date((t0 + 4) * 1000).toISOString() } },
        },
        held: [],
      });
      expect(results[mode]!.events).toEqual([
        ['message.created', 'text', null],
        ['message.revoked', 'text', null],
        ['message.created', 'outgoing', null],
        ['message.reaction_added', 'outgoing', '👍'],
        ['message.reaction_added', 'outgoing', '❤️'],
      ]);
    }
    const held = [202, 'accepted', 'held'];
    expect(outcomes).toEqual({ saga: [held, held, held, held], direct: [held, held, held, held] });
    expect(results.direct).toEqual(results.saga);
  });

  it('routes a channel without its own mode by INBOUND_SAGA_PERCENT, per message id, the same on every redelivery', async () => {
    const tenant = await h.createTenant('Canary Co');
    const channel = await h.createChannel(tenant.apiKey);
    expect((await h.call('GET', `/v1/channels/${channel.id}`, { apiKey: tenant.apiKey })).body.inboundMode).toBeNull();

    const bodies = Array.from({ length: 20 }, (_, i) =>
      freshWahaFixture('webhook-message-text', {
        rawId: `AC00000000000000000000000CANARY${String(i).padStart(2, '0')}`,
      }),
    );
    const expected = bodies.map((b) => chooseInboundMode(null, 'saga', 50, b.payload.id));
    // Deterministic ids: the split is known in advance, and both paths are taken.
    expect(new Set(expected)).toEqual(new Set(['saga', 'direct']));

    const first = [];
    for (const body of bodies) first.push(await h.postWebhook(channel, body));
    const again = [];
    for (const body of bodies) again.push(await h.postWebhook(channel, body));
    expect(first.map((r) => r.status)).toEqual(bodies.map(() => 202));
    expect(again.map((r) => r.status)).toEqual(bodies.map(() => 202));
    expect(first.map((r) => r.body.mode)).toEqual(expected);
    expect(again.map((r) => r.body.mode)).toEqual(expected);
    expect(first.map((r) => r.body.duplicate)).toEqual(bodies.map(() => false));
    expect(again.map((r) => r.body.duplicate)).toEqual(bodies.map(() => true));

    for (const r of first) if (r.body.mode === 'saga') await h.workflowResult(r.body.workflowId);
    const counts = await eventually(
      async () => {
        const rows = await h.query(
          `SELECT external_id, count(*)::int AS n FROM messages WHERE channel_id = $1 GROUP BY external_id`,
          [channel.id],
        );
        return rows.length === bodies.length ? rows : undefined;
      },
      20_000,
      'all 20 messages',
    );
    expect(Object.fromEntries(counts.map((r) => [r.external_id, r.n]))).toEqual(
      Object.fromEntries(bodies.map((b) => [b.payload.id, 1])),
    );

    // Both paths, interleaved for one contact, still share one contact and one session.
    const contacts = await h.query(`SELECT id FROM contacts WHERE tenant_id = $1 AND deleted_at IS NULL`, [
      tenant.tenantId,
    ]);
    expect(contacts).toHaveLength(1);
    const sessions = await h.query(`SELECT DISTINCT session_id FROM messages WHERE channel_id = $1`, [channel.id]);
    expect(sessions).toHaveLength(1);
    const created = await h.query(
      `SELECT count(*)::int AS n FROM outbox_events WHERE tenant_id = $1 AND type = 'message.created'`,
      [tenant.tenantId],
    );
    expect(created[0].n).toBe(bodies.length);
  });
});
