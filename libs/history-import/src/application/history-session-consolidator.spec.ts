import { planSessions } from './history-session-consolidator';
import { type StagedRef } from './history-import.store.port';

const TENANT = '7d1f0c52-3a4b-4c5d-8e6f-0a1b2c3d4e5f';
const CHANNEL = '3c9a1f0e-5b7d-4e2a-9c8b-1d2e3f4a5b6c';
const ANA = '0f8b6d7e-1c2a-4b3c-9d4e-5f6a7b8c9d0e';
const BIA = '5e4d3c2b-1a09-4f8e-b7d6-c5b4a3928170';
const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const ref = (contactId: string, minutes: number, direction: 'inbound' | 'outbound'): StagedRef => ({
  contactId,
  chatId: 'chat@c.us',
  externalId: `${direction === 'outbound'}_chat@c.us_${contactId.slice(0, 4)}${minutes}`,
  sentAt: at(minutes),
  direction,
});

describe('planSessions', () => {
  const context = {
    tenantId: TENANT,
    channelId: CHANNEL,
    timeoutSeconds: 1800,
    warningLeadSeconds: null,
    now: at(200),
  };

  it('ends older sessions at their deadline with their summary, keeps the recent one active with a session.started, assigns every message', () => {
    const staged = [ref(ANA, 0, 'inbound'), ref(ANA, 4, 'outbound'), ref(ANA, 10, 'inbound'), ref(ANA, 190, 'inbound')];
    const plan = planSessions(staged, new Set(), context);
    expect(plan.sessions.map((s) => [s.status, s.startedAt, s.lastActivityAt, s.endedAt])).toEqual([
      ['ended', at(0), at(10), at(40)],
      ['active', at(190), at(190), null],
    ]);
    expect(plan.sessions[0]!.summary).toMatchObject({
      messagesInbound: 2,
      messagesOutbound: 1,
      messagesTotal: 3,
      firstResponseSeconds: 240,
      durationSeconds: 2400,
    });
    expect(plan.events.map((e) => [e.type, e.aggregateId])).toEqual([['session.started', plan.sessions[1]!.id]]);
    expect(plan.active.map((s) => s.id)).toEqual([plan.sessions[1]!.id]);
    expect([...plan.assignments.values()]).toEqual([
      plan.sessions[0]!.id,
      plan.sessions[0]!.id,
      plan.sessions[0]!.id,
      plan.sessions[1]!.id,
    ]);
  });

  it('ends even the newest session of a contact with a live active session, never past now; contacts are planned apart', () => {
    const plan = planSessions([ref(ANA, 190, 'inbound'), ref(BIA, 195, 'inbound')], new Set([ANA]), context);
    const [ana, bia] = plan.sessions;
    expect(ana).toMatchObject({ contactId: ANA, status: 'ended', endedAt: at(200) });
    expect(bia).toMatchObject({ contactId: BIA, status: 'active' });
    expect(plan.events).toHaveLength(1);
  });
});
