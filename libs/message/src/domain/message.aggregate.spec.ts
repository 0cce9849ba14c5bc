import { ValidationError } from '@app/shared';
import { aMessage, newMessageInput } from '../testing/message.mother';
import { type MessageCreatedEventData, MessageEventTypes, type MessageReactionEventData } from './message.events';
import { Message, type MessageProps } from './message.aggregate';

const NOW = new Date('2026-03-10T13:02:31.000Z');
const LATER = new Date('2026-03-10T13:05:00.000Z');

function validationError(work: () => unknown): ValidationError {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('Message', () => {
  describe('create', () => {
    it('stores the WAHA id exactly, splits it, keeps the WhatsApp time and records message.created', () => {
      const externalId = 'false_5511999990001@c.us_AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47';
      const message = Message.create(newMessageInput({ externalId, sentAt: new Date(1773147750 * 1000) }), NOW);

      expect(message.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(message.externalId).toBe(externalId);
      expect(message.waChatId).toBe('5511999990001@c.us');
      expect(message.waRawId).toBe('AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47');
      expect(message.waKey).toBe(externalId);
      expect(message.sentAt.toISOString()).toBe('2026-03-10T13:02:30.000Z');
      expect(message.status).toBe('received');
      expect(message.ackLevel).toBe(2);
      expect(message.createdAt).toEqual(NOW);
      expect(message.updatedAt).toEqual(NOW);
      expect(message.revokedAt).toBeNull();
      expect(message.metadata).toEqual({});

      const [event, ...rest] = message.pullEvents();
      expect(rest).toEqual([]);
      expect(event).toMatchObject({
        type: MessageEventTypes.created,
        aggregateType: 'message',
        aggregateId: message.id,
        occurredAt: NOW,
      });
      expect(event!.data).toEqual<MessageCreatedEventData>({
        id: message.id,
        sessionId: message.sessionId,
        contactId: message.contactId,
        channelId: message.channelId,
        externalId,
        direction: 'inbound',
        type: 'text',
        text: 'Pode mandar sim, obrigada!',
        media: null,
        sentAt: '2026-03-10T13:02:30.000Z',
        status: 'received',
      });
      expect(message.pullEvents()).toEqual([]);
    });

    it('starts outbound messages at the ack they arrive with', () => {
      expect(aMessage({ direction: 'outbound', ackLevel: 1 }).status).toBe('sent');
      expect(aMessage({ direction: 'outbound', ackLevel: 3 }).status).toBe('read');
      expect(aMessage({ direction: 'outbound', ackLevel: 4 }).status).toBe('played');
      expect(aMessage({ direction: 'outbound', ackLevel: -1 }).status).toBe('failed');
      expect(aMessage({ direction: 'outbound', ackLevel: 0 }).status).toBe('pending');
      const unknownAck = aMessage({ direction: 'outbound', ackLevel: null });
      expect(unknownAck.status).toBe('sent');
      expect(unknownAck.ackLevel).toBeNull();
    });

    it('keeps inbound messages received whatever ack they carry', () => {
      expect(aMessage({ direction: 'inbound', ackLevel: 3 }).status).toBe('received');
    });

    it('is stored as deleted when it is known to be revoked already', () => {
      const revokedAt = new Date('2026-03-10T13:02:56.000Z');
      const message = aMessage({ revokedAt });
      expect(message.status).toBe('deleted');
      expect(message.revokedAt).toEqual(revokedAt);
    });

    it('keeps media, captions, replies, locations, vCards, the ad referral and group data', () => {
      const message = aMessage({
        externalId: 'false_120363400000000001@g.us_3A9F2E4D6C8B0A1F3E5D_123450000000002@lid',
        type: 'image',
        text: 'Essa é a tela que aparece pra mim',
        media: {
          url: 'http://localhost:3000/api/files/default/AC2B.jpeg',
          mimetype: 'image/jpeg',
          caption: 'Essa é a tela que aparece pra mim',
        },
        metadata: {
          source: 'app',
          replyTo: { id: 'AC1F3B7E', body: 'Olá!' },
          location: { latitude: -23.55, longitude: -46.63, name: 'Acme' },
          vCards: ['BEGIN:VCARD\nFN:Ana\nEND:VCARD', ''],
          adReferral: { sourceId: '120210000000000001', ctwaClid: 'Afc3', entryPoint: 'ctwa_ad' },
          groupChatId: '120363400000000001@g.us',
          participant: '123450000000002@lid',
        },
      });
      expect(message.waId).toEqual({
        fromMe: false,
        chatId: '120363400000000001@g.us',
        rawId: '3A9F2E4D6C8B0A1F3E5D',
        participant: '123450000000002@lid',
      });
      expect(message.waKey).toBe('false_120363400000000001@g.us_3A9F2E4D6C8B0A1F3E5D');
      expect(message.media).toEqual({
        url: 'http://localhost:3000/api/files/default/AC2B.jpeg',
        mimetype: 'image/jpeg',
        filename: null,
        caption: 'Essa é a tela que aparece pra mim',
        error: null,
      });
      expect(message.metadata).toEqual({
        source: 'app',
        replyTo: { id: 'AC1F3B7E', participant: null, body: 'Olá!' },
        location: { latitude: -23.55, longitude: -46.63, name: 'Acme', address: null, url: null, live: false },
        vCards: ['BEGIN:VCARD\nFN:Ana\nEND:VCARD'],
        adReferral: {
          sourceType: null,
          sourceId: '120210000000000001',
          sourceUrl: null,
          ctwaClid: 'Afc3',
          title: null,
          body: null,
          entryPoint: 'ctwa_ad',
        },
        groupChatId: '120363400000000001@g.us',
        participant: '123450000000002@lid',
      });
    });

    it('stores empty text as null, keeps whitespace and drops NUL characters PostgreSQL cannot hold', () => {
      expect(aMessage({ text: '' }).text).toBeNull();
      expect(aMessage({ text: null }).text).toBeNull();
      expect(aMessage({ text: '  two  spaces ' }).text).toBe('  two  spaces ');
      expect(aMessage({ text: 'a\u0000b' }).text).toBe('ab');
    });

    it.each([
      [{ tenantId: 'x' }, 'tenantId'],
      [{ sessionId: 'x' }, 'sessionId'],
      [{ contactId: 'x' }, 'contactId'],
      [{ channelId: 'x' }, 'channelId'],
      [{ direction: 'sideways' as never }, 'direction'],
      [{ type: 'voice' as never }, 'type'],
      [{ externalId: 'AC4A6C8E' }, 'externalId'],
      [{ ackLevel: 5 }, 'ackLevel'],
      [{ sentAt: new Date(1773147750) }, 'sentAt'],
      [{ sentAt: new Date('invalid') }, 'sentAt'],
      [{ revokedAt: new Date(0) }, 'revokedAt'],
      [{ text: 'x'.repeat(65_537) }, 'text'],
      [{ media: { url: 42 as never } }, 'media.url'],
      [{ metadata: { source: 'phone' as never } }, 'metadata.source'],
      [{ metadata: { location: { latitude: 91, longitude: 0 } } }, 'metadata.location.latitude'],
      [{ metadata: { vCards: 'BEGIN:VCARD' as never } }, 'metadata.vCards'],
    ])('rejects %p with a ValidationError naming %p', (overrides, field) => {
      expect(validationError(() => aMessage(overrides)).field).toBe(field);
    });

    it("refuses a direction that contradicts the id's fromMe, and chat/raw ids that are not the id's", () => {
      const inboundId = 'false_5511999990001@c.us_AC4A';
      expect(validationError(() => aMessage({ direction: 'outbound', externalId: inboundId })).message).toBe(
        'direction: must be inbound for a false_ message id',
      );
      expect(
        validationError(() => aMessage({ direction: 'inbound', externalId: 'true_5511999990001@c.us_3EB0' })).field,
      ).toBe('direction');
      expect(validationError(() => aMessage({ externalId: inboundId, waChatId: '5511999990002@c.us' })).field).toBe(
        'waChatId',
      );
      expect(validationError(() => aMessage({ externalId: inboundId, waRawId: 'AC4B' })).field).toBe('waRawId');
      expect(aMessage({ externalId: inboundId, waChatId: '5511999990001@c.us', waRawId: 'AC4A' }).waRawId).toBe('AC4A');
    });
  });

  describe('applyAck', () => {
    it('moves an outbound message forward and records message.status_changed with from/to', () => {
      const message = aMessage({ direction: 'outbound', ackLevel: 1 });
      message.pullEvents();
      const at = new Date('2026-03-10T13:02:10.000Z');
      expect(message.applyAck(3, at, LATER)).toEqual({ apply: true, status: 'read', ackLevel: 3 });
      expect(message.status).toBe('read');
      expect(message.ackLevel).toBe(3);
      expect(message.updatedAt).toEqual(LATER);
      const [event, ...rest] = message.pullEvents();
      expect(rest).toEqual([]);
      expect(event).toMatchObject({ type: 'message.status_changed', occurredAt: LATER, aggregateId: message.id });
      expect(event!.data).toMatchObject({
        id: message.id,
        from: 'sent',
        to: 'read',
        ackLevel: 3,
        changedAt: at.toISOString(),
        direction: 'outbound',
      });
    });

    it('ignores an older ack without recording or touching anything (READ then DEVICE stays read)', () => {
      const message = aMessage({ direction: 'outbound', ackLevel: 3 });
      message.pullEvents();
      const before = message.toProps();
      expect(message.applyAck(2, LATER, LATER)).toEqual({ apply: false, reason: 'not_forward' });
      expect(message.toProps()).toEqual(before);
      expect(message.pullEvents()).toEqual([]);
    });

    it('ignores acks on inbound and revoked messages', () => {
      const inbound = aMessage({ direction: 'inbound' });
      expect(inbound.applyAck(3, LATER, LATER)).toEqual({ apply: false, reason: 'inbound' });
      const revoked = aMessage({ direction: 'outbound', revokedAt: NOW });
      expect(revoked.applyAck(3, LATER, LATER)).toEqual({ apply: false, reason: 'deleted' });
    });

    it('validates the ack and its time', () => {
      const message = aMessage({ direction: 'outbound' });
      expect(validationError(() => message.applyAck(9, LATER, LATER)).field).toBe('ack');
      expect(validationError(() => message.applyAck(3, new Date(1773147750), LATER)).field).toBe('at');
    });
  });

  describe('revoke', () => {
    it('marks the message deleted once and records message.revoked once', () => {
      const message = aMessage({ direction: 'outbound', ackLevel: 2 });
      message.pullEvents();
      const at = new Date('2026-03-10T13:02:56.000Z');
      expect(message.revoke(at, LATER)).toBe(true);
      expect(message.status).toBe('deleted');
      expect(message.revokedAt).toEqual(at);
      const [event] = message.pullEvents();
      expect(event).toMatchObject({
        type: 'message.revoked',
        data: { previousStatus: 'delivered', revokedAt: at.toISOString() },
      });

      expect(message.revoke(LATER, LATER)).toBe(false);
      expect(message.revokedAt).toEqual(at);
      expect(message.pullEvents()).toEqual([]);
    });
  });

  describe('react', () => {
    const t = (seconds: number) => new Date(Date.UTC(2026, 2, 10, 13, 2, seconds));
    const ana = '5511999990001@c.us';
    const bruno = '123450000000002@lid';

    function reacted(message: Message): Array<{ type: string; data: MessageReactionEventData }> {
      return message.pullEvents().map((e) => ({ type: e.type, data: e.data as unknown as MessageReactionEventData }));
    }

    it('records, changes and removes one reaction per reactor, with the matching events', () => {
      const message = aMessage({ direction: 'outbound' });
      message.pullEvents();

      expect(message.react({ reactorId: ana, emoji: '👍', reactionExternalId: 'R1', at: t(20) }, LATER)).toEqual({
        state: 'recorded',
        changed: true,
      });
      expect(message.react({ reactorId: bruno, emoji: '❤️', reactionExternalId: 'R2', at: t(21) }, LATER)).toEqual({
        state: 'recorded',
        changed: true,
      });
      expect(message.activeReactions()).toEqual([
        { reactor: ana, emoji: '👍', reactedAt: t(20).toISOString() },
        { reactor: bruno, emoji: '❤️', reactedAt: t(21).toISOString() },
      ]);
      expect(message.react({ reactorId: ana, emoji: '😂', reactionExternalId: 'R3', at: t(22) }, LATER).state).toBe(
        'recorded',
      );
      expect(message.react({ reactorId: bruno, emoji: '', reactionExternalId: 'R4', at: t(23) }, LATER)).toEqual({
        state: 'removed',
        changed: true,
      });
      expect(message.activeReactions()).toEqual([{ reactor: ana, emoji: '😂', reactedAt: t(22).toISOString() }]);

      const events = reacted(message);
      expect(events.map((e) => [e.type, e.data.reactor, e.data.emoji, e.data.previousEmoji])).toEqual([
        ['message.reaction_added', ana, '👍', null],
        ['message.reaction_added', bruno, '❤️', null],
        ['message.reaction_added', ana, '😂', '👍'],
        ['message.reaction_removed', bruno, '', '❤️'],
      ]);
      expect(events[0]!.data).toMatchObject({
        id: message.id,
        externalId: message.externalId,
        reactionExternalId: 'R1',
        reactedAt: t(20).toISOString(),
      });
    });

    it('is idempotent on the reaction id and ignores reactions older than the current one', () => {
      const message = aMessage({ direction: 'outbound' });
      message.pullEvents();
      message.react({ reactorId: ana, emoji: '👍', reactionExternalId: 'R1', at: t(20) }, LATER);
      message.pullEvents();
      const stored = message.toProps();

      expect(message.react({ reactorId: ana, emoji: '👍', reactionExternalId: 'R1', at: t(20) }, LATER)).toEqual({
        state: 'recorded',
        changed: false,
      });
      expect(message.react({ reactorId: ana, emoji: '😮', reactionExternalId: 'R0', at: t(10) }, LATER)).toEqual({
        state: 'recorded',
        changed: false,
      });
      expect(message.toProps()).toEqual(stored);
      expect(message.pullEvents()).toEqual([]);

      // Removed, then the add is delivered again: the removal stays.
      message.react({ reactorId: ana, emoji: '', reactionExternalId: 'R2', at: t(30) }, LATER);
      message.pullEvents();
      expect(message.react({ reactorId: ana, emoji: '👍', reactionExternalId: 'R1', at: t(20) }, LATER)).toEqual({
        state: 'removed',
        changed: false,
      });
      expect(message.activeReactions()).toEqual([]);
      expect(message.pullEvents()).toEqual([]);
    });

    it('removing a reaction that was never seen stores a marker but raises nothing', () => {
      const message = aMessage();
      message.pullEvents();
      expect(message.react({ reactorId: ana, emoji: '', reactionExternalId: 'R9', at: t(40) }, LATER)).toEqual({
        state: 'removed',
        changed: true,
      });
      expect(message.pullEvents()).toEqual([]);
      expect(message.metadata.reactions).toEqual({
        [ana]: { emoji: null, reactionExternalId: 'R9', reactedAt: t(40).toISOString() },
      });
      // The late add it overtook stays out.
      expect(message.react({ reactorId: ana, emoji: '👍', reactionExternalId: 'R8', at: t(39) }, LATER).state).toBe(
        'removed',
      );
    });

    it('re-reacting with the same emoji raises nothing', () => {
      const message = aMessage();
      message.react({ reactorId: ana, emoji: '👍', reactionExternalId: 'R1', at: t(20) }, LATER);
      message.pullEvents();
      expect(message.react({ reactorId: ana, emoji: '👍', reactionExternalId: 'R2', at: t(25) }, LATER)).toEqual({
        state: 'recorded',
        changed: true,
      });
      expect(message.pullEvents()).toEqual([]);
    });

    it('validates its input', () => {
      const message = aMessage();
      expect(
        validationError(() => message.react({ reactorId: '', emoji: '👍', reactionExternalId: 'R', at: t(1) }, LATER))
          .field,
      ).toBe('reactorId');
      expect(
        validationError(() =>
          message.react({ reactorId: ana, emoji: 5 as never, reactionExternalId: 'R', at: t(1) }, LATER),
        ).field,
      ).toBe('emoji');
      expect(
        validationError(() =>
          message.react({ reactorId: ana, emoji: '👍', reactionExternalId: 'a b', at: t(1) }, LATER),
        ).field,
      ).toBe('reactionExternalId');
      expect(
        validationError(() =>
          message.react({ reactorId: ana, emoji: '👍', reactionExternalId: 'R', at: new Date(5) }, LATER),
        ).field,
      ).toBe('at');
    });
  });

  describe('adoptExternalId', () => {
    it('takes the id WAHA gave an outbound message in the same chat, once, without an event', () => {
      const message = Message.create(
        newMessageInput({
          direction: 'outbound',
          externalId: 'true_5511999990001@c.us_3EB0000000000000000001',
          ackLevel: 0,
        }),
        NOW,
      );
      message.pullEvents();
      expect(message.adoptExternalId('true_5511999990001@c.us_3EB0000000000000000002', LATER)).toBe(true);
      expect(message).toMatchObject({
        externalId: 'true_5511999990001@c.us_3EB0000000000000000002',
        waRawId: '3EB0000000000000000002',
        updatedAt: LATER,
      });
      expect(message.adoptExternalId('true_5511999990001@c.us_3EB0000000000000000002', LATER)).toBe(false);
      expect(message.pullEvents()).toEqual([]);
      expect(
        validationError(() => message.adoptExternalId('true_5511999990009@c.us_3EB0000000000000000003', LATER)).field,
      ).toBe('externalId');
      expect(
        validationError(() => message.adoptExternalId('false_5511999990001@c.us_3EB0000000000000000003', LATER)).field,
      ).toBe('externalId');
    });
  });

  describe('markDeleted', () => {
    it('records message.deleted with the reason', () => {
      const message = aMessage();
      message.pullEvents();
      message.markDeleted(' saga_rollback: session step failed ', LATER);
      const [event] = message.pullEvents();
      expect(event).toMatchObject({
        type: 'message.deleted',
        aggregateId: message.id,
        data: { id: message.id, reason: 'saga_rollback: session step failed', deletedAt: LATER.toISOString() },
      });
      expect(validationError(() => message.markDeleted('  ', LATER)).field).toBe('reason');
    });
  });

  describe('rehydrate', () => {
    it('restores the stored state and records nothing', () => {
      const props: MessageProps = aMessage({ direction: 'outbound' }).toProps();
      const message = Message.rehydrate(props);
      expect(message.toProps()).toEqual(props);
      expect(message.pullEvents()).toEqual([]);
    });
  });
});
