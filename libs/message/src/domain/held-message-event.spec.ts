import { aMessage } from '../testing/message.mother';
import { type HeldMessageEvent, applyHeldEvents } from './held-message-event';

const NOW = new Date('2026-03-10T13:05:00.000Z');
const t = (second: number) => new Date(Date.UTC(2026, 2, 10, 13, 3, second));
const ana = '5511999990001@c.us';
const reaction = (emoji: string, id: string, second: number): HeldMessageEvent => ({
  kind: 'reaction',
  reaction: { reactorId: ana, emoji, reactionExternalId: id, at: t(second) },
});

describe('applyHeldEvents', () => {
  it('applies held reactions in WhatsApp-time order whatever order they arrived in, with the events a stored message raises', () => {
    const message = aMessage();
    message.pullEvents();
    // Arrived: the removal (t12) first, then the replacing reaction (t11), then the first one (t10).
    applyHeldEvents(message, [reaction('', 'R3', 12), reaction('❤️', 'R2', 11), reaction('👍', 'R1', 10)], NOW);

    expect(
      message
        .pullEvents()
        .map((e) => [
          e.type,
          (e.data as { emoji: string }).emoji,
          (e.data as { previousEmoji: string | null }).previousEmoji,
        ]),
    ).toEqual([
      ['message.reaction_added', '👍', null],
      ['message.reaction_added', '❤️', '👍'],
      ['message.reaction_removed', '', '❤️'],
    ]);
    expect(message.activeReactions()).toEqual([]);
    expect(message.metadata.reactions?.[ana]).toEqual({
      emoji: null,
      reactionExternalId: 'R3',
      reactedAt: t(12).toISOString(),
    });
  });

  it('keeps a later reaction that replaced an earlier one, even when the earlier one arrived last', () => {
    const message = aMessage();
    message.pullEvents();
    applyHeldEvents(message, [reaction('❤️', 'R2', 11), reaction('👍', 'R1', 10)], NOW);
    expect(message.activeReactions()).toEqual([{ reactor: ana, emoji: '❤️', reactedAt: t(11).toISOString() }]);
  });

  it('revokes the message once, after the reactions of the same instant, recording message.revoked with the revoke time', () => {
    const message = aMessage();
    message.pullEvents();
    applyHeldEvents(
      message,
      [{ kind: 'revoke', at: t(10) }, reaction('👍', 'R1', 10), { kind: 'revoke', at: t(20) }],
      NOW,
    );

    const events = message.pullEvents();
    expect(events.map((e) => e.type)).toEqual(['message.reaction_added', 'message.revoked']);
    expect(events[1]!.data).toMatchObject({ previousStatus: 'received', revokedAt: t(10).toISOString() });
    expect(message.status).toBe('deleted');
    expect(message.revokedAt).toEqual(t(10));
  });

  it('orders reactions of the same second by their WAHA id, whatever order they are handed over in', () => {
    const outcomes = [
      [reaction('👍', 'R1', 10), reaction('❤️', 'R2', 10)],
      [reaction('❤️', 'R2', 10), reaction('👍', 'R1', 10)],
    ].map((events) => {
      const message = aMessage();
      applyHeldEvents(message, events, NOW);
      return message.activeReactions();
    });
    expect(outcomes[0]).toEqual([{ reactor: ana, emoji: '❤️', reactedAt: t(10).toISOString() }]);
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('changes nothing without held events', () => {
    const message = aMessage();
    message.pullEvents();
    applyHeldEvents(message, [], NOW);
    expect(message.pullEvents()).toEqual([]);
    expect(message.updatedAt).toEqual(message.createdAt);
  });
});
