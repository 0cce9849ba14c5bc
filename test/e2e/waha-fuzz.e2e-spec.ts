import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { signWahaBody } from '@app/inbound';
import { TenantService } from '@app/tenant';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createTestDatabase, ownerView } from '../support/database';
import { fuzzSeed } from '../support/fuzz-seed';
import { TestEnv } from '../support/test-env';

type Json = Record<string, unknown>;
type Path = (string | number)[];

const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'waha');
const FIXTURES: { name: string; body: Json }[] = readdirSync(FIXTURES_DIR)
  .filter((file) => /^webhook-.*\.json$/.test(file))
  .map((file) => ({ name: file, body: JSON.parse(readFileSync(join(FIXTURES_DIR, file), 'utf8')) as Json }));

/** Every path of a JSON value (objects and arrays, not the root). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...pathsOf(child, path)];
  });
}

const DELETE = Symbol('delete');

/** Sets (or deletes) `path`, creating objects on the way; a non-object on the way stops it (the
 *  payload is then malformed there already). */
function mutate(body: Json, path: Path, value: unknown): void {
  let node: unknown = body;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string | number, unknown>;
    if (typeof record[key] !== 'object' || record[key] === null) record[key] = {};
    node = record[key];
  }
  if (typeof node !== 'object' || node === null) return;
  const last = path[path.length - 1]!;
  if (value === DELETE) delete (node as Record<string | number, unknown>)[last];
  // A copy: fast-check hands out the same constant object each time, and later changes would
  // otherwise reach into it (and tie cycles).
  else (node as Record<string | number, unknown>)[last] = structuredClone(value);
}

const deepNesting = fc.integer({ min: 50, max: 2_000 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { nested: value } : [value];
  return value;
});
const longString = fc
  .tuple(fc.constantFrom('A', '9', 'é', '😀', '_', '@c.us'), fc.integer({ min: 1_000, max: 50_000 }))
  .map(([unit, n]) => unit.repeat(n));
const unicodeString = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const nanLike = fc.constantFrom(
  'NaN',
  'Infinity',
  '-Infinity',
  '1e20',
  '-0',
  '0x1F',
  '',
  ' ',
  'null',
  'undefined',
  '\u0000',
  'a\u0000b',
);
const hugeNumber = fc.constantFrom(
  1e20,
  -1e20,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  2 ** 53 + 2,
  8.64e15 + 1,
  1e308,
  -1,
);

/** Anything strange, put anywhere (before the invalidating change, which therefore wins). */
const noise = fc.oneof(
  longString,
  unicodeString,
  nanLike,
  hugeNumber,
  deepNesting,
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);

const notAString = fc.oneof(
  fc.constant(DELETE),
  fc.constant(null),
  fc.constant(''),
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  hugeNumber,
  deepNesting,
);
const notAMessageId = fc.oneof(
  notAString,
  fc.string({ maxLength: 60 }).filter((s) => !s.includes('_')),
  fc.constantFrom(
    'maybe_5511999990001@c.us_ABC',
    'true_',
    'false__ABC',
    'true_5511999990001@c.us_',
    '_5511999990001@c.us_ABC',
    'false_😀@c.us_ABC',
    'false_5511999990001@nowhere_ABC',
  ),
  longString.map((s) => s.replace(/_/g, 'x')),
  // Well formed, but longer than any WhatsApp id (and than an index entry or a workflow id can hold).
  fc.integer({ min: 2_000, max: 20_000 }).map((n) => `false_5511999990001@c.us_${'A'.repeat(n)}`),
);
const notUnixSeconds = fc.oneof(
  fc.constant(DELETE),
  fc.constant(null),
  nanLike,
  fc.constant('1700000000'),
  hugeNumber,
  fc.constantFrom(0, -5, 1e12, 1.7e12),
  fc.boolean(),
  fc.constant({}),
);
/** The revoke action's own time may be absent (the envelope's time is used then), never wrong. */
const presentButNotUnixSeconds = fc.oneof(
  nanLike,
  fc.constant('1700000000'),
  hugeNumber,
  fc.constantFrom(0, -5, 1e12, 1.7e12),
  fc.boolean(),
  fc.constant({}),
);
const notAnAck = fc.oneof(
  fc.constant(DELETE),
  fc.constant(null),
  fc.constantFrom(5, -2, 1.5, '3', 1e20, -1e20),
  nanLike,
  fc.constant([]),
);
const notAnObject = fc.oneof(
  fc.constant(DELETE),
  fc.constant(null),
  fc.integer(),
  longString,
  fc.constant([]),
  fc.constant([{}]),
  nanLike,
);
const notEnvelopeMillis = fc.constantFrom(1e20, -1e20, Number.MAX_VALUE, 8.64e15 + 1);

/** Per event: where a change makes the event malformed (or ignored), and which values do it. */
const INVALIDATORS: Record<string, [Path, fc.Arbitrary<unknown>][]> = {
  '*': [
    [['id'], notAString],
    [['session'], notAString],
    [['event'], notAString],
    [['payload'], notAnObject],
    [['timestamp'], notEnvelopeMillis],
  ],
  // Not payload.fromMe: a prefixed id carries the direction itself (and bare ids fall back to _data.Info.IsFromMe).
  message: [
    [['payload', 'id'], notAMessageId],
    [['payload', 'timestamp'], notUnixSeconds],
  ],
  'message.ack': [
    [['payload', 'id'], notAMessageId],
    [['payload', 'ack'], notAnAck],
  ],
  // Not payload.after.id: without a usable one the chat comes from after.from (engines differ there).
  'message.revoked': [
    [['payload', 'revokedMessageId'], notAString],
    [['payload', 'after', 'timestamp'], presentButNotUnixSeconds],
  ],
  'message.reaction': [
    [['payload', 'id'], notAString],
    [['payload', 'reaction'], notAnObject],
    [['payload', 'reaction', 'messageId'], notAMessageId],
    [['payload', 'reaction', 'text'], fc.oneof(fc.constant(DELETE), fc.constant(null), fc.integer(), fc.constant({}))],
    [['payload', 'timestamp'], notUnixSeconds],
  ],
  'session.status': [[['payload', 'status'], notAString]],
};
INVALIDATORS['message.any'] = INVALIDATORS.message!;

interface FuzzCase {
  fixture: string;
  body: Json;
  changes: string[];
}

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.constantFrom(...FIXTURES).chain(({ name, body }) => {
  const paths = pathsOf(body);
  const invalidators = [...INVALIDATORS['*']!, ...(INVALIDATORS[String(body.event)] ?? [])];
  const noiseChanges = fc.array(fc.tuple(fc.constantFrom(...paths), noise), { maxLength: 3 });
  const invalidChange = fc
    .constantFrom(...invalidators)
    .chain(([path, values]) => values.map((value) => [path, value] as const));
  return fc.tuple(noiseChanges, invalidChange).map(([noisy, [invalidPath, invalidValue]]) => {
    const copy = structuredClone(body);
    const changes: string[] = [];
    const describe = (path: Path, value: unknown) => {
      const shown = value === DELETE ? 'deleted' : (JSON.stringify(value) ?? String(value)).slice(0, 80);
      changes.push(`${path.join('.')} = ${shown}`);
    };
    for (const [path, value] of noisy) {
      mutate(copy, path, value);
      describe(path, value);
    }
    mutate(copy, invalidPath, invalidValue);
    describe(invalidPath, invalidValue);
    return { fixture: name, body: copy, changes };
  });
});

/**
 * 1,000 malformed WAHA webhooks (property-based, from the real fixtures: wrong types, missing fields,
 * huge numbers, NaN-like strings, deep nesting, long strings, unicode, wrong ids), each correctly
 * signed with the channel's secret, posted to the real API: every one is answered 4xx naming a
 * field, or 200 ignored; never 5xx, never 202; and not one row is written.
 */
describe('WAHA receiver under fuzzed payloads (e2e)', () => {
  let app: INestApplication;
  let base: string;
  let db: DataSource;
  let channel: { id: string; webhookSecret: string };

  const TABLES = [
    'contacts',
    'sessions',
    'messages',
    'pending_message_acks',
    'ad_conversions',
    'message_groups',
    'outbox_events',
  ];
  const footprint = async () => {
    const [counts] = await db.query(
      `SELECT ${TABLES.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`,
    );
    const [row] = await db.query(`SELECT version, waha_status, updated_at FROM channels WHERE id = $1`, [channel.id]);
    return { ...counts, channel: row };
  };

  beforeAll(async () => {
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      LOG_LEVEL: 'silent',
      // Direct mode writes in the request itself, so "no row written" is checked right away.
      INBOUND_MODE: 'direct',
    });
    delete process.env.DEV_API_KEY;
    app = await createApiApp({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    db = await ownerView(app.get(DataSource));
    const { apiKey } = await app.get(TenantService).createTenant('Fuzz tenant');
    const res = await fetch(`${base}/v1/channels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({
        name: 'Fuzzed',
        wahaBaseUrl: 'https://waha.example.com',
        inboundMode: 'direct',
        allowGroups: true,
      }),
    });
    expect(res.status).toBe(201);
    channel = (await res.json()) as { id: string; webhookSecret: string };
  });
  afterAll(() => app?.close());

  it('answers 1,000 signed malformed payloads with 4xx naming a field or 200 ignored, and writes nothing', async () => {
    const before = await footprint();
    const statuses: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(fuzzCase, async ({ body }) => {
        // Compared per payload (not only at the end), so a failure shrinks to the payload that wrote.
        const preceding = await footprint();
        const raw = JSON.stringify(body);
        const res = await fetch(`${base}/v1/channels/${channel.id}/waha/events`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-webhook-hmac': signWahaBody(raw, channel.webhookSecret),
            'x-webhook-hmac-algorithm': 'sha512',
          },
          body: raw,
        });
        const answer = (await res.json()) as { status?: string; message?: unknown };
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const message = Array.isArray(answer.message) ? answer.message.join('; ') : String(answer.message ?? '');
        if (res.status === 200) {
          expect(answer.status).toBe('ignored');
        } else {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          // Names the field: `payload.id must ...`, `timestamp: ...`, `body must be JSON`, ...
          expect(message).toMatch(/^(body|id|event|session|timestamp|payload(\.[A-Za-z_]+)*)\b/);
        }
        expect(await footprint()).toEqual(preceding);
      }),
      {
        numRuns: 1_000,
        seed: fuzzSeed(),
        reporter: (details) => {
          if (!details.failed) return;
          const example = details.counterexample?.[0] as FuzzCase | undefined;
          throw new Error(
            `fuzzed payload failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}): ` +
              `${example?.fixture} with ${example?.changes.join(', ')}\n${details.errorInstance ? String(details.errorInstance) : ''}`,
          );
        },
      },
    );
    expect(await footprint()).toEqual(before);
    expect(Object.keys(statuses).every((status) => status === '200' || status.startsWith('4'))).toBe(true);
    expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(1_000);
  }, 600_000);
});
