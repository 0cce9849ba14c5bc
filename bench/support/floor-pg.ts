import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { failStartup, serveParent } from './inbound-children';
import type { CapturedStatement } from './inbound-api';
import { summarize, type Summary } from './stats';

/**
 * Child process of `npm run bench:inbound`: the direct-mode transaction floor. The bench captures,
 * in the API process and in this very run, the statements of two real direct-mode transactions
 * (a new contact, then the same contact again: find-or-create contact, find-or-open session, locks,
 * the message, the outbox rows; START TRANSACTION .. COMMIT, texts and parameter values as TypeORM
 * sends them). This process replays them, statement for statement, through a plain `pg` Pool of
 * the API's size by `concurrency` closed-loop callers against the same database, with fresh
 * identities per transaction: tenant and channel -> the floor's own, the phone -> a new one (a new
 * contact) or one the floor created (a returning contact: the capture's contact and session ids ->
 * that contact's), the WhatsApp message id and every other id the transaction proposes -> new ones
 * (inside JSON payloads and composite keys too). No Nest, no TypeORM, no HTTP, no Temporal: what the
 * transaction costs PostgreSQL and a driver. Following the capture keeps the floor the real
 * transaction's when the application's SQL changes.
 */

export interface CapturedTransaction {
  /** START TRANSACTION .. COMMIT of one direct-mode post. */
  statements: CapturedStatement[];
  phone: string;
  /** The WhatsApp message id of the post (hex, in external ids and wa_raw_id). */
  rawId: string;
}

export interface FloorPgArgs {
  captured: { tenantId: string; channelId: string; newContact: CapturedTransaction; returning: CapturedTransaction };
  tenantId: string;
  channelId: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  newShare: number;
  phonePrefix: string;
}

export interface FloorPgRun {
  concurrency: number;
  poolSize: number;
  statementsNew: number;
  statementsReturning: number;
  transactions: number;
  newContacts: number;
  errors: number;
  firstError?: string;
  seconds: number;
  txPerSecond: number;
  txMs: Summary;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** START TRANSACTION .. COMMIT of a capture (empty when it holds no whole transaction). */
export function transactionStatements(statements: CapturedStatement[]): CapturedStatement[] {
  const norm = (t: string) => t.replace(/\s+/g, ' ').trim().toUpperCase();
  const begin = statements.findIndex((s) => norm(s.text) === 'START TRANSACTION' || norm(s.text) === 'BEGIN');
  let commit = -1;
  for (let i = statements.length - 1; i > begin; i--)
    if (norm(statements[i].text) === 'COMMIT') {
      commit = i;
      break;
    }
  return begin >= 0 && commit > begin ? statements.slice(begin, commit + 1) : [];
}

function uuidsOf(tx: CapturedTransaction): Set<string> {
  const out = new Set<string>();
  for (const s of tx.statements)
    for (const v of s.values ?? [])
      if (typeof v === 'string') for (const m of v.match(UUID) ?? []) out.add(m.toLowerCase());
  return out;
}

function substitute(values: unknown[] | undefined, map: [string, string][]): unknown[] | undefined {
  return values?.map((v) => {
    if (typeof v !== 'string') return v;
    let out = v;
    for (const [from, to] of map) if (out.includes(from)) out = out.split(from).join(to);
    return out;
  });
}

interface KnownContact {
  phone: string;
  /** Capture's contact/session ids -> this contact's. */
  ids: [string, string][];
}

class FloorReplay {
  private readonly known: KnownContact[] = [];
  private counter = 0;
  /** Ids the new-contact transaction creates that the returning one uses (its contact and session). */
  private readonly shared: string[];
  private readonly ownNew: string[];
  private readonly ownReturning: string[];

  constructor(
    private readonly pool: Pool,
    private readonly args: FloorPgArgs,
  ) {
    const { tenantId, channelId, newContact, returning } = args.captured;
    const fixed = new Set([tenantId.toLowerCase(), channelId.toLowerCase()]);
    const inNew = [...uuidsOf(newContact)].filter((u) => !fixed.has(u));
    const inReturning = new Set([...uuidsOf(returning)].filter((u) => !fixed.has(u)));
    this.shared = inNew.filter((u) => inReturning.has(u));
    this.ownNew = inNew.filter((u) => !inReturning.has(u));
    this.ownReturning = [...inReturning].filter((u) => !this.shared.includes(u));
  }

  /** One transaction; resolves with whether its contact was new. */
  async run(): Promise<boolean> {
    const { captured } = this.args;
    const isNew = this.known.length === 0 || Math.random() < this.args.newShare;
    const template = isNew ? captured.newContact : captured.returning;
    let contact: KnownContact;
    if (isNew) {
      contact = {
        phone: `${this.args.phonePrefix}${String(this.counter++).padStart(captured.newContact.phone.length - this.args.phonePrefix.length, '0')}`,
        ids: this.shared.map((u) => [u, randomUUID()]),
      };
    } else {
      contact = this.known[Math.floor(Math.random() * this.known.length)];
    }
    const map: [string, string][] = [
      [captured.tenantId, this.args.tenantId],
      [captured.channelId, this.args.channelId],
      [template.phone, contact.phone],
      [
        template.rawId,
        randomBytes(template.rawId.length / 2)
          .toString('hex')
          .toUpperCase(),
      ],
      ...contact.ids,
      ...(isNew ? this.ownNew : this.ownReturning).map((u): [string, string] => [u, randomUUID()]),
    ];
    const client = await this.pool.connect();
    try {
      for (const statement of template.statements)
        await client.query(statement.text, substitute(statement.values, map));
      if (isNew) this.known.push(contact);
      return isNew;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.FLOOR_POOL_SIZE ?? 20) });
  serveParent(
    {
      /** Closed loop: `concurrency` callers, each replays one transaction after the other, for `warmupMs` unmeasured then `durationMs`. */
      run: async (raw) => {
        const args = raw as FloorPgArgs;
        if (!args.captured.newContact.statements.length || !args.captured.returning.statements.length)
          throw new Error('no captured transaction to replay');
        const replay = new FloorReplay(pool, args);
        const start = performance.now();
        const measuredFrom = start + args.warmupMs;
        const end = measuredFrom + args.durationMs;
        const latencies: number[] = [];
        let newContacts = 0;
        let errors = 0;
        let firstError: string | undefined;
        const caller = async () => {
          while (performance.now() < end) {
            const t0 = performance.now();
            try {
              const isNew = await replay.run();
              const t1 = performance.now();
              // Counted when it completes inside the measured window (the rate is per window second).
              if (t1 >= measuredFrom && t1 <= end) {
                latencies.push(t1 - t0);
                if (isNew) newContacts += 1;
              }
            } catch (err) {
              errors += 1;
              firstError ??= err instanceof Error ? err.message : String(err);
              if (errors > 1_000) return;
            }
          }
        };
        await Promise.all(Array.from({ length: Math.max(1, args.concurrency) }, caller));
        const seconds = args.durationMs / 1_000;
        const result: FloorPgRun = {
          concurrency: args.concurrency,
          poolSize: pool.options.max ?? 0,
          statementsNew: args.captured.newContact.statements.length,
          statementsReturning: args.captured.returning.statements.length,
          transactions: latencies.length,
          newContacts,
          errors,
          firstError,
          seconds,
          txPerSecond: latencies.length / seconds,
          txMs: summarize(latencies),
        };
        return result;
      },
    },
    () => pool.end(),
  );
  process.send?.({ type: 'ready', data: { pid: process.pid } });
}

if (require.main === module) main().catch(failStartup);
