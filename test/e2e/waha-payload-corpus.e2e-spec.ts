import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freshWahaFixture, type FixtureJson, type WahaFixture } from '../fixtures/waha';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';

type Row = Record<string, any>;
interface Side {
  mode: 'saga' | 'direct';
  tenantId: string;
  channel: HarnessChannel;
}

/** The parts a scenario gives its message: fresh per scenario, so that scenarios share no rows. */
interface Ids {
  phone: string;
  lid: string;
  rawId: string;
  /** A second raw id: the reaction or the revoke action itself. */
  otherRawId: string;
}

const freshIds = (): Ids => ({
  phone: `5511${randomInt(100_000_000, 999_999_999)}`,
  lid: `${randomInt(100_000, 999_999)}${randomInt(100_000_000, 999_999_999)}`,
  rawId: randomBytes(16).toString('hex').toUpperCase(),
  otherRawId: randomBytes(16).toString('hex').toUpperCase(),
});

/** A fresh fixture with the fixture's counterparty, its hidden id and its raw ids replaced everywhere. */
function retarget(name: WahaFixture, replacements: [string, string][]): FixtureJson {
  let json = JSON.stringify(freshWahaFixture(name));
  for (const [from, to] of replacements) json = json.split(from).join(to);
  return JSON.parse(json) as FixtureJson;
}

/** Deletes what WAHA may leave out: envelope `me`, `metadata`, `environment`, `engine`; `_data`, `source`, `hasMedia`. */
function stripOptional(body: FixtureJson, message: FixtureJson): void {
  for (const key of ['me', 'metadata', 'environment', 'engine']) delete body[key];
  for (const key of ['_data', 'source', 'hasMedia']) delete message[key];
}

const info = (message: FixtureJson): FixtureJson => {
  message._data ??= {};
  message._data.Info ??= {};
  return message._data.Info as FixtureJson;
};

/** Message-shaped payload spellings of one message: the same message whatever WAHA build sent it. */
type Spelling = (message: FixtureJson, ids: Ids, fromMe: boolean, body: FixtureJson) => void;
const SPELLINGS: Record<string, Spelling> = {
  'as recorded': () => undefined,
  'bare id': (m, ids) => {
    m.id = ids.rawId;
    m.from = `${ids.phone}@c.us`;
  },
  '@s.whatsapp.net chat': (m, ids, fromMe) => {
    m.id = `${fromMe}_${ids.phone}@s.whatsapp.net_${ids.rawId}`;
    m.from = `${ids.phone}@s.whatsapp.net`;
  },
  'bare id, device-suffixed from': (m, ids) => {
    m.id = ids.rawId;
    m.from = `${ids.phone}:12@s.whatsapp.net`;
  },
  '@lid chat, phone in SenderAlt/RecipientAlt': (m, ids, fromMe) => {
    m.id = `${fromMe}_${ids.lid}@lid_${ids.rawId}`;
    m.from = `${ids.lid}@lid`;
    Object.assign(
      info(m),
      { Chat: `${ids.lid}@lid` },
      fromMe
        ? { RecipientAlt: `${ids.phone}@s.whatsapp.net` }
        : { Sender: `${ids.lid}:3@lid`, SenderAlt: `${ids.phone}:3@s.whatsapp.net` },
    );
  },
  'bare id, @lid from, phone in SenderAlt/RecipientAlt': (m, ids, fromMe) => {
    SPELLINGS['@lid chat, phone in SenderAlt/RecipientAlt']!(m, ids, fromMe, {});
    m.id = ids.rawId;
  },
  'bare id, no optional fields, body null': (m, ids, _fromMe, body) => {
    m.id = ids.rawId;
    m.from = `${ids.phone}@s.whatsapp.net`;
    m.body = null;
    stripOptional(body, m);
  },
};

interface OneToOneFixture {
  name: WahaFixture;
  fromMe: boolean;
  phone: string;
  rawId: string;
  pushName: string | null;
}
const ONE_TO_ONE: OneToOneFixture[] = [
  {
    name: 'webhook-message-text',
    fromMe: false,
    phone: '5511999990001',
    rawId: 'AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
    pushName: 'Ana Souza',
  },
  {
    name: 'webhook-message-image',
    fromMe: false,
    phone: '5511999990001',
    rawId: 'AC2B7E1F4D9A3C5E8B0F6A2D4C7E9B13',
    pushName: 'Ana Souza',
  },
  {
    name: 'webhook-message-ctwa-ad',
    fromMe: false,
    phone: '5511999990001',
    rawId: 'AC1F3B7E9D2C4A6F8E0B1D3C5A7E9F21',
    pushName: 'Ana Souza',
  },
  {
    name: 'webhook-message-text-gows-2025',
    fromMe: false,
    phone: '5511999990007',
    rawId: '3A0000C5C341306326AA',
    pushName: 'Bruna Lima',
  },
  {
    name: 'webhook-message-any-outgoing-api',
    fromMe: true,
    phone: '5511999990001',
    rawId: '3EB0A1B2C3D4E5F6A7B8C9',
    pushName: null,
  },
];

const messageBody = (
  fixture: OneToOneFixture,
  ids: Ids,
  spelling: Spelling = SPELLINGS['as recorded']!,
): FixtureJson => {
  const body = retarget(fixture.name, [
    [fixture.phone, ids.phone],
    [fixture.rawId, ids.rawId],
  ]);
  spelling(body.payload, ids, fixture.fromMe, body);
  return body;
};
const TEXT = ONE_TO_ONE[0]!;
const OUTGOING = ONE_TO_ONE[4]!;
const GOWS_2025 = ONE_TO_ONE[3]!;

/** One webhook of a scenario and what the receiver must answer: 202 accepted, or 200 ignored with a reason. */
interface Step {
  body: FixtureJson;
  answer: 'accepted' | 'ignored' | 'accepted or ignored';
}

/** A few webhooks in order (a message before its ack, reaction or revoke) and the rows they must leave. */
interface Scenario {
  fixture: WahaFixture;
  name: string;
  ids: Ids;
  steps: Step[];
  /** What the rows must show; compared with `observe`'s reading. */
  expected: Row;
  observe: (side: Side, ids: Ids) => Promise<Row>;
}

/**
 * Every WAHA webhook fixture, as recorded and in every other spelling WAHA builds use (bare ids,
 * `@s.whatsapp.net`, `@lid` with the phone in SenderAlt, device suffixes, optional fields left out),
 * posted signed to the real API in both inbound modes: each is accepted with the rows it implies
 * under the one canonical external id, or ignored with a reason; none is a 400 or a 5xx.
 */
describe('WAHA payload corpus: every fixture and its spellings through the receiver (e2e)', () => {
  let h: ConversationHarness;
  const sides: Side[] = [];

  beforeAll(async () => {
    h = await ConversationHarness.start('crm-corpus');
    for (const mode of ['saga', 'direct'] as const) {
      const tenant = await h.createTenant(`Corpus ${mode}`);
      sides.push({
        mode,
        tenantId: tenant.tenantId,
        channel: await h.createChannel(tenant.apiKey, { inboundMode: mode, allowGroups: true }),
      });
    }
  });
  afterAll(() => h?.close());

  /** Posts one body; for a saga, waits until its run has finished. */
  const deliver = async (side: Side, body: FixtureJson): Promise<{ status: number; body: Row }> => {
    const res = await h.postWebhook(side.channel, body);
    if (res.status === 202 && res.body.mode === 'saga') await h.workflowResult(res.body.workflowId);
    return res;
  };

  const messageRow = async (side: Side, externalId: string) =>
    (
      await h.query(`SELECT * FROM messages WHERE channel_id = $1 AND external_id = $2`, [side.channel.id, externalId])
    )[0] as Row | undefined;

  /** The message under `externalId`, its contact and whether it has a session of this channel. */
  const observeMessage = async (side: Side, externalId: string): Promise<Row> => {
    const message = await messageRow(side, externalId);
    if (!message) {
      const stored = await h.query(
        `SELECT external_id FROM messages WHERE channel_id = $1 ORDER BY created_at DESC LIMIT 5`,
        [side.channel.id],
      );
      return { message: null, latestStored: stored.map((r) => r.external_id) };
    }
    const [contact] = await h.query(`SELECT phone, name FROM contacts WHERE id = $1`, [message.contact_id]);
    const [session] = await h.query(`SELECT channel_id, contact_id FROM sessions WHERE id = $1`, [message.session_id]);
    return {
      message: { direction: message.direction, status: message.status },
      contact,
      sessionOfContact: session?.channel_id === side.channel.id && session?.contact_id === message.contact_id,
    };
  };
  const expectedMessage = (
    direction: 'inbound' | 'outbound',
    status: string,
    phone: string,
    name: string | null,
  ): Row => ({
    message: { direction, status },
    contact: { phone, name },
    sessionOfContact: true,
  });

  const scenarios: Scenario[] = [];

  for (const fixture of ONE_TO_ONE) {
    for (const [name, spelling] of Object.entries(SPELLINGS)) {
      const ids = freshIds();
      const withoutData = name.includes('no optional fields');
      scenarios.push({
        fixture: fixture.name,
        name,
        ids,
        steps: [{ body: messageBody(fixture, ids, spelling), answer: 'accepted' }],
        expected: expectedMessage(
          fixture.fromMe ? 'outbound' : 'inbound',
          fixture.fromMe ? 'sent' : 'received',
          ids.phone,
          withoutData ? null : fixture.pushName,
        ),
        observe: (side) => observeMessage(side, `${fixture.fromMe}_${ids.phone}@c.us_${ids.rawId}`),
      });
    }
  }

  // Groups: the group chat, the author in `participant` (a @lid with its phone in SenderAlt, or a phone).
  const GROUP = '120363400000000001@g.us';
  const groupBody = (ids: Ids, spell: (m: FixtureJson, body: FixtureJson) => void) => {
    const body = retarget('webhook-message-group', [
      ['5511999990002', ids.phone],
      ['123450000000002', ids.lid],
      ['3A9F2E4D6C8B0A1F3E5D', ids.rawId],
    ]);
    spell(body.payload, body);
    return body;
  };
  const groupSpellings: [string, (m: FixtureJson, ids: Ids, body: FixtureJson) => void, 'lid' | 'phone' | 'hidden'][] =
    [
      ['as recorded', () => undefined, 'lid'],
      ['bare id', (m, ids) => (m.id = ids.rawId), 'lid'],
      [
        'bare id, device-suffixed @lid participant',
        (m, ids) => {
          m.id = ids.rawId;
          m.participant = `${ids.lid}:5@lid`;
        },
        'lid',
      ],
      [
        'bare id, device-suffixed phone participant, no SenderAlt',
        (m, ids) => {
          m.id = ids.rawId;
          m.participant = `${ids.phone}:7@s.whatsapp.net`;
          delete m._data.Info.SenderAlt;
        },
        'phone',
      ],
      [
        'bare id, no optional fields (so no phone for the @lid author)',
        (m, ids, body) => {
          m.id = ids.rawId;
          stripOptional(body, m);
        },
        'hidden',
      ],
    ];
  for (const [name, spell, author] of groupSpellings) {
    const ids = freshIds();
    const externalId = `false_${GROUP}_${ids.rawId}_${author === 'phone' ? `${ids.phone}@c.us` : `${ids.lid}@lid`}`;
    scenarios.push({
      fixture: 'webhook-message-group',
      name,
      ids,
      steps: [
        {
          body: groupBody(ids, (m, body) => spell(m, ids, body)),
          answer: author === 'hidden' ? 'ignored' : 'accepted',
        },
      ],
      expected:
        author === 'hidden'
          ? { message: null, latestStored: expect.any(Array) }
          : expectedMessage('inbound', 'received', ids.phone, 'Bruno Lima'),
      observe: (side) => observeMessage(side, externalId),
    });
  }

  // Acks: our message first, then its READ receipt in each spelling.
  const ackSpellings: Record<string, (p: FixtureJson, ids: Ids, body: FixtureJson) => void> = {
    'as recorded': () => undefined,
    'bare id': (p, ids) => (p.id = ids.rawId),
    'bare id, device-suffixed @s.whatsapp.net from': (p, ids) => {
      p.id = ids.rawId;
      p.from = `${ids.phone}:2@s.whatsapp.net`;
    },
    'bare id, @lid from, phone in the receipt': (p, ids) => {
      p.id = ids.rawId;
      p.from = `${ids.lid}@lid`;
      Object.assign(p._data, {
        Chat: `${ids.lid}@lid`,
        Sender: `${ids.lid}@lid`,
        SenderAlt: `${ids.phone}@s.whatsapp.net`,
      });
    },
    'bare id, no optional fields': (p, ids, body) => {
      p.id = ids.rawId;
      stripOptional(body, p);
    },
  };
  for (const [name, spell] of Object.entries(ackSpellings)) {
    const ids = freshIds();
    const ack = retarget('webhook-message-ack', [
      [OUTGOING.phone, ids.phone],
      [OUTGOING.rawId, ids.rawId],
    ]);
    spell(ack.payload, ids, ack);
    scenarios.push({
      fixture: 'webhook-message-ack',
      name,
      ids,
      steps: [
        { body: messageBody(OUTGOING, ids), answer: 'accepted' },
        { body: ack, answer: 'accepted' },
      ],
      expected: expectedMessage('outbound', 'read', ids.phone, null),
      observe: (side) => observeMessage(side, `true_${ids.phone}@c.us_${ids.rawId}`),
    });
  }

  // Reactions: the message first (ours, or theirs where said), then the reaction in each spelling.
  const reactionSpellings: [string, (p: FixtureJson, ids: Ids, body: FixtureJson) => void, 'ours' | 'theirs'][] = [
    ['as recorded', () => undefined, 'ours'],
    [
      'bare ids, @s.whatsapp.net from',
      (p, ids) => {
        p.id = ids.otherRawId;
        p.from = `${ids.phone}@s.whatsapp.net`;
        p.reaction.messageId = ids.rawId;
      },
      'ours',
    ],
    [
      'device-suffixed jids in both ids',
      (p, ids) => {
        p.id = `false_${ids.phone}:9@s.whatsapp.net_${ids.otherRawId}`;
        p.from = `${ids.phone}:9@s.whatsapp.net`;
        p.reaction.messageId = `true_${ids.phone}:9@s.whatsapp.net_${ids.rawId}`;
      },
      'ours',
    ],
    [
      '@lid reaction chat, phone target',
      (p, ids) => {
        p.id = `false_${ids.lid}@lid_${ids.otherRawId}`;
        p.from = `${ids.lid}@lid`;
      },
      'ours',
    ],
    ['bare target, customer reacting to their own message', (p, ids) => (p.reaction.messageId = ids.rawId), 'theirs'],
    [
      'bare ids, no optional fields',
      (p, ids, body) => {
        p.id = ids.otherRawId;
        p.reaction.messageId = ids.rawId;
        stripOptional(body, p);
      },
      'ours',
    ],
  ];
  for (const [name, spell, target] of reactionSpellings) {
    const ids = freshIds();
    const reaction = retarget('webhook-message-reaction', [
      [OUTGOING.phone, ids.phone],
      [OUTGOING.rawId, ids.rawId],
      ['AC3D5F7A9B1C3E5D7F9A1B3C5D7E9F35', ids.otherRawId],
    ]);
    if (target === 'theirs') reaction.payload.reaction.messageId = `false_${ids.phone}@c.us_${ids.rawId}`;
    spell(reaction.payload, ids, reaction);
    const message = target === 'ours' ? messageBody(OUTGOING, ids) : messageBody(TEXT, ids);
    const externalId = `${target === 'ours'}_${ids.phone}@c.us_${ids.rawId}`;
    scenarios.push({
      fixture: 'webhook-message-reaction',
      name,
      ids,
      steps: [
        { body: message, answer: 'accepted' },
        { body: reaction, answer: 'accepted' },
      ],
      expected: { reactionsAdded: 1 },
      observe: async (side) => {
        const row = await messageRow(side, externalId);
        if (!row) return { message: null };
        const [{ n }] = await h.query(
          `SELECT count(*)::int AS n FROM outbox_events WHERE aggregate_id = $1 AND type = 'message.reaction_added'`,
          [row.id],
        );
        return { reactionsAdded: n };
      },
    });
  }

  // Revokes: the customer's message first, then the revoke (its `after` in each spelling).
  const revokeSpellings: Record<string, (after: FixtureJson, ids: Ids, body: FixtureJson) => void> = {
    'as recorded': () => undefined,
    'bare after.id': (a, ids) => (a.id = ids.otherRawId),
    'bare after.id, device-suffixed @s.whatsapp.net from': (a, ids) => {
      a.id = ids.otherRawId;
      a.from = `${ids.phone}:4@s.whatsapp.net`;
    },
    '@lid after.id, phone in SenderAlt': (a, ids) => {
      a.id = `false_${ids.lid}@lid_${ids.otherRawId}`;
      a.from = `${ids.lid}@lid`;
      Object.assign(a._data.Info, {
        Chat: `${ids.lid}@lid`,
        Sender: `${ids.lid}@lid`,
        SenderAlt: `${ids.phone}@s.whatsapp.net`,
      });
    },
    'bare after.id, no optional fields': (a, ids, body) => {
      a.id = ids.otherRawId;
      stripOptional(body, a);
      delete body.payload._data;
    },
  };
  for (const [name, spell] of Object.entries(revokeSpellings)) {
    const ids = freshIds();
    const revoke = retarget('webhook-message-revoked', [
      [TEXT.phone, ids.phone],
      ['AC5B7D9F1B3D5F7B9D1F3B5D7F9B1D59', ids.rawId],
      ['AC6C8E0A2C4E6A8C0E2A4C6E8A0C2E6B', ids.otherRawId],
    ]);
    spell(revoke.payload.after, ids, revoke);
    scenarios.push({
      fixture: 'webhook-message-revoked',
      name,
      ids,
      steps: [
        { body: messageBody(TEXT, ids), answer: 'accepted' },
        { body: revoke, answer: 'accepted' },
      ],
      expected: expectedMessage('inbound', 'deleted', ids.phone, TEXT.pushName),
      observe: (side) => observeMessage(side, `false_${ids.phone}@c.us_${ids.rawId}`),
    });
  }

  // Session status: kept on the channel (accepted), or ignored when an equal status was kept already.
  for (const [name, strip] of [
    ['as recorded', false],
    ['no optional fields', true],
  ] as const) {
    const body = freshWahaFixture('webhook-session-status');
    if (strip) for (const key of ['me', 'metadata', 'environment', 'engine']) delete body[key];
    scenarios.push({
      fixture: 'webhook-session-status',
      name,
      ids: freshIds(),
      steps: [{ body, answer: 'accepted or ignored' }],
      expected: { status: 'WORKING' },
      observe: async (side) => {
        const [channel] = await h.query(`SELECT * FROM channels WHERE id = $1`, [side.channel.id]);
        return { status: channel?.waha_status ?? null };
      },
    });
  }

  it('covers every webhook fixture in test/fixtures/waha', () => {
    const webhookFixtures = readdirSync(join(__dirname, '..', 'fixtures', 'waha'))
      .filter((f) => /^webhook-.*\.json$/.test(f))
      .map((f) => f.replace(/\.json$/, ''));
    expect([...new Set(scenarios.map((s) => s.fixture))].sort()).toEqual(webhookFixtures.sort());
  });

  for (const mode of ['saga', 'direct'] as const) {
    it(`answers every spelling with 202 and its rows, or 200 ignored with a reason, never 400 or 5xx (${mode} mode)`, async () => {
      const side = sides.find((s) => s.mode === mode)!;
      const answered: Row = {};
      const wanted: Row = {};
      const run = async (scenario: Scenario) => {
        const key = `${scenario.fixture} / ${scenario.name}`;
        const answers = [];
        for (const step of scenario.steps) {
          const res = await deliver(side, step.body);
          const answer =
            res.status === 202 && res.body.status === 'accepted'
              ? 'accepted'
              : res.status === 200 && res.body.status === 'ignored' && res.body.reason
                ? 'ignored'
                : `${res.status} ${JSON.stringify(res.body)}`;
          answers.push(
            step.answer === 'accepted or ignored' && (answer === 'accepted' || answer === 'ignored')
              ? step.answer
              : answer,
          );
        }
        answered[key] = { answers, rows: await scenario.observe(side, scenario.ids) };
        wanted[key] = { answers: scenario.steps.map((s) => s.answer), rows: scenario.expected };
      };
      // Scenarios share no rows (fresh phones and ids), so a few run at once; steps stay in order.
      const queue = [...scenarios];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) await run(next);
        }),
      );
      expect(answered).toEqual(wanted);
    }, 300_000);

    it(`records a bare-id message and the prefixed message.any of it once: one row, one message.created (${mode} mode)`, async () => {
      const side = sides.find((s) => s.mode === mode)!;
      const ids = freshIds();
      const bare = messageBody(GOWS_2025, ids);
      const prefixedAny = messageBody(GOWS_2025, ids, SPELLINGS['as recorded']);
      prefixedAny.event = 'message.any';
      prefixedAny.payload.id = `false_${ids.phone}@c.us_${ids.rawId}`;
      prefixedAny.payload.from = `${ids.phone}@c.us`;
      expect(bare.payload.id).toBe(ids.rawId);

      const first = await deliver(side, bare);
      const second = await deliver(side, prefixedAny);
      expect([first.status, second.status]).toEqual([202, 202]);
      expect([first.body.duplicate, second.body.duplicate]).toEqual([false, true]);
      if (mode === 'saga') expect(second.body.workflowId).toBe(first.body.workflowId);

      const externalId = `false_${ids.phone}@c.us_${ids.rawId}`;
      const rows = await h.query(`SELECT external_id FROM messages WHERE channel_id = $1 AND wa_raw_id = $2`, [
        side.channel.id,
        ids.rawId,
      ]);
      const [{ n: created }] = await h.query(
        `SELECT count(*)::int AS n FROM outbox_events WHERE tenant_id = $1 AND type = 'message.created' AND payload->>'externalId' = $2`,
        [side.tenantId, externalId],
      );
      expect({ rows: rows.map((r) => r.external_id), created }).toEqual({ rows: [externalId], created: 1 });
      expect(await observeMessage(side, externalId)).toEqual(
        expectedMessage('inbound', 'received', ids.phone, 'Bruna Lima'),
      );
    });
  }

  it('answers an envelope or payload timestamp out of range with a 400 naming it', async () => {
    const side = sides[0]!;
    const cases: [string, FixtureJson][] = [];
    for (const bad of [1e20, -1, '1773147750630']) {
      const body = messageBody(TEXT, freshIds());
      body.timestamp = bad;
      cases.push(['timestamp', body]);
    }
    for (const bad of [1e20, -5, '1773147750']) {
      const body = messageBody(TEXT, freshIds());
      body.payload.timestamp = bad;
      cases.push(['payload.timestamp', body]);
    }
    const answers = [];
    for (const [field, body] of cases) {
      const res = await h.postWebhook(side.channel, body);
      answers.push({ field, status: res.status, namesField: JSON.stringify(res.body).includes(field) });
    }
    expect(answers).toEqual(cases.map(([field]) => ({ field, status: 400, namesField: true })));
  });
});
