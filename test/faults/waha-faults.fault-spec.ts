import { createWahaSimulator, type WahaSimulator } from '../../apps/waha-simulator/src/simulator';
import { listWorkflows } from './support/checks';
import { FaultSystem, type FaultChannel } from './support/fault-system';
import { sleep, waitFor } from './support/managed-process';
import { faultProfile } from './support/profile';
import { WahaLoad } from './support/waha-load';

/**
 * WAHA fails the timeout warning: its sendText answers 404 (the channel names a session WAHA does
 * not have), 500 (the simulator's fault injection on /api/sendText) or never answers (injected
 * latency far beyond WAHA_HTTP_TIMEOUT_MS). Sessions time out after 20 s with a warning 10 s before
 * (the system default timeout is made short; the REST API accepts no channel timeout under 60 s).
 * Each session still ends by inactivity on time, no customer gets two warnings, no workflow fails.
 */
const profile = faultProfile();
const TIMEOUT_SECONDS = 20;
const WARNING_LEAD_SECONDS = 10;
const WAHA_TIMEOUT_MS = 3_000;
/** How long after its deadline a session may take to end on a loaded machine. */
const END_GRACE_MS = 60_000;

type Fault = '404' | '500' | 'hang';

describe(`WAHA faults on the timeout warning (${profile.name})`, () => {
  let system: FaultSystem;
  const simulators: WahaSimulator[] = [];

  beforeAll(async () => {
    system = await FaultSystem.start({
      env: { SESSION_DEFAULT_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS), WAHA_HTTP_TIMEOUT_MS: String(WAHA_TIMEOUT_MS) },
    });
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled(simulators.map((s) => s.close()));
    await system?.stop();
  }, 120_000);

  /** A simulator of its own per fault, and a channel pointing at it. */
  const channelWith = async (fault: Fault): Promise<{ channel: FaultChannel; sim: WahaSimulator }> => {
    const sim = await createWahaSimulator({ port: 0, host: '127.0.0.1', logLevel: 'silent', ackDelayMs: 100 });
    simulators.push(sim);
    const faults =
      fault === '500'
        ? { errorRate: 1, onlyPaths: ['/api/sendText'] }
        : fault === 'hang'
          ? { latencyMs: 600_000, onlyPaths: ['/api/sendText'] }
          : undefined;
    if (faults) {
      const res = await fetch(`${sim.url}/_sim/faults`, {
        method: 'POST',
        headers: { 'x-api-key': sim.settings.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
      if (!res.ok) throw new Error(`simulator faults: ${res.status}`);
    }
    const channel = await system.createChannel('saga', {
      wahaBaseUrl: sim.url,
      wahaApiKey: sim.settings.apiKey,
      // 404: WAHA knows no such session, as after a session was deleted on the WAHA side.
      wahaSession: fault === '404' ? 'deleted-session' : sim.settings.session,
      sessionWarningLeadSeconds: WARNING_LEAD_SECONDS,
      sessionWarningText: 'Are you still there?',
    });
    return { channel, sim };
  };

  it.each([
    ['404', '551181'],
    ['500', '551182'],
    ['hang', '551183'],
  ] as const)(
    'sendText %s: sessions end by inactivity, one warning at most, no failed workflow',
    async (fault, phonePrefix) => {
      const caseStartedAt = new Date();
      const { channel, sim } = await channelWith(fault);
      const messages = WahaLoad.plan(profile.warningSessions, profile.warningSessions, phonePrefix);
      const load = new WahaLoad({
        apiUrls: system.apiUrls,
        channel,
        concurrency: 4,
        retryDelayMs: profile.retryDelayMs,
        retries: profile.retries,
      });
      await load.sendAll(messages);
      const lastAnswer = Math.max(...messages.map((m) => m.answered?.at ?? Date.now()));

      const sessions = () =>
        system.query<{
          id: string;
          status: string;
          end_reason: string | null;
          warnings: number;
          ended_events: number;
          outbound: number;
        }>(
          `SELECT s.id, s.status, s.end_reason,
                (SELECT count(*)::int FROM outbox_events e WHERE e.aggregate_id = s.id::text AND e.type = 'session.timeout_warning') AS warnings,
                (SELECT count(*)::int FROM outbox_events e WHERE e.aggregate_id = s.id::text AND e.type = 'session.ended') AS ended_events,
                (SELECT count(*)::int FROM messages m WHERE m.session_id = s.id AND m.direction = 'outbound') AS outbound
           FROM sessions s WHERE s.channel_id = $1`,
          [channel.id],
        );
      const ended = await waitFor(
        `${messages.length} sessions ended`,
        lastAnswer + TIMEOUT_SECONDS * 1000 + END_GRACE_MS - Date.now(),
        async () => {
          const rows = await sessions();
          return rows.length === messages.length && rows.every((r) => r.status === 'ended') ? rows : undefined;
        },
        async () => JSON.stringify(await sessions()),
      ).catch(async (err: Error) => {
        console.log(err.message);
        return sessions();
      });
      // A late second warning would come within one more warning lead: look again after it.
      await sleep(WARNING_LEAD_SECONDS * 1000);
      const final = await sessions();
      const sent = (await (
        await fetch(`${sim.url}/_sim/sent`, { headers: { 'x-api-key': sim.settings.apiKey } })
      ).json()) as Array<{ chatId: string }>;
      const sentPerChat = new Map<string, number>();
      for (const s of sent) sentPerChat.set(s.chatId, (sentPerChat.get(s.chatId) ?? 0) + 1);
      const failed = await listWorkflows(
        system,
        `ExecutionStatus="Failed" AND StartTime >= "${caseStartedAt.toISOString()}"`,
      );

      const figures = {
        'messages answered 2xx': messages.filter((m) => m.answered).length,
        sessions: final.length,
        'sessions ended by inactivity': final.filter((r) => r.status === 'ended' && r.end_reason === 'inactivity')
          .length,
        'sessions with more than one session.timeout_warning': final.filter((r) => r.warnings > 1).length,
        'sessions with more than one outbound message': final.filter((r) => r.outbound > 1).length,
        'sessions without exactly one session.ended': final.filter((r) => r.ended_events !== 1).length,
        'chats WAHA accepted more than one send for': [...sentPerChat.values()].filter((n) => n > 1).length,
        'workflows failed': failed.length,
      };
      console.log(
        `WAHA fault ${fault} on sendText [profile ${profile.name}]\n` +
          Object.entries(figures)
            .map(([k, v]) => `  ${k.padEnd(56)} ${String(v).padStart(6)}`)
            .join('\n') +
          `\n  sessions seen: ${JSON.stringify(final.map((r) => ({ status: r.status, reason: r.end_reason, warnings: r.warnings, outbound: r.outbound })))}` +
          (failed.length ? `\n  failed: ${failed.slice(0, 5).join(', ')}` : '') +
          (ended.length !== messages.length ? `\n${system.output()}` : ''),
      );
      expect(figures).toEqual({
        'messages answered 2xx': messages.length,
        sessions: messages.length,
        'sessions ended by inactivity': messages.length,
        'sessions with more than one session.timeout_warning': 0,
        'sessions with more than one outbound message': 0,
        'sessions without exactly one session.ended': 0,
        'chats WAHA accepted more than one send for': 0,
        'workflows failed': 0,
      });
    },
  );
});
