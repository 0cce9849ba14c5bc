import { createWahaSimulator, type WahaSimulator } from '../../apps/waha-simulator/src/simulator';
import type { HistoryTruth } from '../../apps/waha-simulator/src/waha/history-dataset';
import { FaultSystem } from './support/fault-system';
import { sleep, waitFor } from './support/managed-process';
import { faultProfile } from './support/profile';

/**
 * The worker process is SIGKILLed while a history import runs (chat slices in the middle of
 * paging, children and the parent in the middle of workflow tasks), `workerKills` times, then
 * started for good. A slice that died resumes from the cursor stored with its last page, so the
 * import completes with exactly the simulator's ground truth: nothing lost, nothing doubled.
 */
const profile = faultProfile();
const CHATS = profile.name === 'full' ? 100 : 16;
const MESSAGES_PER_CHAT = profile.name === 'full' ? 200 : 120;

describe(`worker killed (SIGKILL) during a history import (${profile.name})`, () => {
  let system: FaultSystem;
  let sim: WahaSimulator;

  beforeAll(async () => {
    system = await FaultSystem.start({
      env: { HISTORY_IMPORT_PAGE_SIZE: '50', HISTORY_IMPORT_CONCURRENCY: '4', WAHA_RATE_LIMIT_PER_SECOND: '1000' },
    });
    sim = await createWahaSimulator({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  }, 300_000);

  afterAll(async () => {
    await sim?.close();
    await system?.stop();
  }, 120_000);

  const simCall = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        'x-api-key': sim.settings.apiKey,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  it('completes with exact counts per contact, each message once, after the worker was killed mid-import', async () => {
    await simCall('POST', '/_sim/history-dataset', { chats: CHATS, messagesPerChat: MESSAGES_PER_CHAT, seed: 21 });
    const truth = await simCall<HistoryTruth>('GET', '/_sim/history-dataset/truth?messages=false');
    // Slow pages, so the kills land in the middle of the paging.
    await simCall('POST', '/_sim/faults', { latencyMs: 400, onlyPaths: ['/api/default/chats/*/messages'] });
    const channel = await system.createChannel('saga', {
      wahaBaseUrl: sim.url,
      wahaApiKey: sim.settings.apiKey,
      allowGroups: true,
    });

    const started = await system.call('POST', `/v1/channels/${channel.id}/history-imports`, {});
    expect(started.status).toBe(202);
    const importId = started.body.id as string;
    const view = async () => (await system.call('GET', `/v1/channels/${channel.id}/history-imports/${importId}`)).body;

    await waitFor('the import to store messages', 120_000, async () =>
      (await view().catch(() => ({ messagesImported: 0 }))).messagesImported > 0 ? true : undefined,
    );
    let kills = 0;
    for (let kill = 0; kill < profile.workerKills; kill++) {
      await sleep(profile.workerKillEveryMs);
      if ((await view()).status !== 'running') break;
      await system.worker.kill();
      kills += 1;
      await system.worker.start();
    }
    // At least one kill landed while the import ran (each costs the running slices a heartbeat timeout).
    expect(kills).toBeGreaterThanOrEqual(1);
    const ended = await waitFor(
      'the import to end',
      profile.recoveryDeadlineMs,
      async () => {
        const v = await view().catch(() => undefined);
        return v && v.status !== 'running' ? v : undefined;
      },
      async () => JSON.stringify(await view().catch((e: Error) => e.message)),
    );
    console.log(
      `history import after ${kills} worker kills: ${JSON.stringify({ status: ended.status, chatsDone: ended.chatsDone, messagesImported: ended.messagesImported, messagesDuplicate: ended.messagesDuplicate })}`,
    );
    expect(ended).toMatchObject({ status: 'completed', chatsTotal: CHATS, chatsDone: CHATS, chatsFailed: 0 });

    const perContact = await system.query<{ phone: string; n: number; distinct_ids: number }>(
      `SELECT c.phone, count(*)::int AS n, count(DISTINCT m.wa_raw_id)::int AS distinct_ids
         FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.channel_id = $1 GROUP BY c.phone`,
      [channel.id],
    );
    const stored = new Map(perContact.map((r) => [r.phone, r]));
    const expected = truth.contacts.map((c) => ({ phone: c.phone, messages: c.distinctMessages }));
    const actual = truth.contacts.map((c) => ({ phone: c.phone, messages: stored.get(c.phone)?.n ?? 0 }));
    expect(actual).toEqual(expected);
    expect(perContact.every((r) => r.n === r.distinct_ids)).toBe(true);
    expect(ended.messagesImported).toBe(truth.contacts.reduce((n, c) => n + c.distinctMessages, 0));
    const [{ staged }] = await system.query(
      `SELECT count(*)::int AS staged FROM history_import_messages WHERE channel_id = $1`,
      [channel.id],
    );
    expect(staged).toBe(0);
    const sessions = await system.query<{ phone: string; n: number }>(
      `SELECT c.phone, count(*)::int AS n FROM sessions s JOIN contacts c ON c.id = s.contact_id WHERE s.channel_id = $1 GROUP BY c.phone`,
      [channel.id],
    );
    const sessionsOf = new Map(sessions.map((s) => [s.phone, s.n]));
    expect(truth.contacts.map((c) => ({ phone: c.phone, sessions: sessionsOf.get(c.phone) ?? 0 }))).toEqual(
      truth.contacts.map((c) => ({ phone: c.phone, sessions: c.sessionsAt30MinGap })),
    );
    console.log(`worker started ${system.worker.starts} times; crashes: ${JSON.stringify(system.crashes())}`);
  }, 900_000);
});
