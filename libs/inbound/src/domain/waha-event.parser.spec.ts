import * as fc from 'fast-check';
import { PhoneNumber } from '@app/contact';
import { assertWaChatId, assertWaRawId, assertWhatsAppTime, Message, parseWaMessageId } from '@app/message';
import { ValidationError } from '@app/shared';
import { type WahaFixture, wahaFixture } from '../../../../test/fixtures/waha';
import {
  canonicalJid,
  findAdReferral,
  parseWahaEvent,
  phoneOfJid,
  splitMessageId,
  type WahaEvent,
} from './waha-event.parser';
import { type InboundMessage } from './inbound-message';
import { signWahaBody, verifyWahaSignature } from './waha-hmac';
import { fuzzSeed } from '../../../../test/support/fuzz-seed';

describe('WAHA webhook parsing', () => {
  it('maps an inbound text message, keeping WhatsApp time in seconds-correct UTC', () => {
    const event = parseWahaEvent(wahaFixture('webhook-message-text'));
    expect(event.kind).toBe('message');
    if (event.kind !== 'message') return;
    expect(event.message).toMatchObject({
      externalId: 'false_5511999990001@c.us_AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
      chatId: '5511999990001@c.us',
      rawId: 'AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
      direction: 'inbound',
      type: 'text',
      text: 'Pode mandar sim, obrigada!',
      sentAt: '2026-03-10T13:02:30.000Z',
      contact: { phone: '5511999990001', whatsappId: '5511999990001@c.us', name: 'Ana Souza' },
      group: null,
      adReferral: null,
    });
  });

  it('maps an image with its media and caption', () => {
    const event = parseWahaEvent(wahaFixture('webhook-message-image'));
    if (event.kind !== 'message') throw new Error(event.kind);
    expect(event.message.type).toBe('image');
    expect(event.message.text).toBe('Essa é a tela que aparece pra mim');
    expect(event.message.media).toEqual({
      url: 'http://localhost:3000/api/files/default/AC2B7E1F4D9A3C5E8B0F6A2D4C7E9B13.jpeg',
      mimetype: 'image/jpeg',
      filename: null,
      error: null,
    });
  });

  it('takes the participant (with its phone from SenderAlt) as the contact of a group message', () => {
    const event = parseWahaEvent(wahaFixture('webhook-message-group'));
    if (event.kind !== 'message') throw new Error(event.kind);
    expect(event.message.contact).toEqual({
      phone: '5511999990002',
      whatsappId: '123450000000002@lid',
      name: 'Bruno Lima',
    });
    expect(event.message.group).toEqual({ chatId: '120363400000000001@g.us', participant: '123450000000002@lid' });
  });

  it('ignores a group participant whose phone is unknown', () => {
    const body = wahaFixture('webhook-message-group');
    delete body.payload._data.Info.SenderAlt;
    expect(parseWahaEvent(body)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('@lid') });
  });

  it('finds the click-to-WhatsApp ad referral in _data', () => {
    const event = parseWahaEvent(wahaFixture('webhook-message-ctwa-ad'));
    if (event.kind !== 'message') throw new Error(event.kind);
    expect(event.message.adReferral).toMatchObject({
      sourceType: 'ad',
      sourceId: '120210000000000001',
      sourceUrl: 'https://fb.me/1AbCdEfGhIjK',
      ctwaClid: 'Afc3nYt8WqKx2mP0dLr7sVb1eZg9hJ4oN6uI5yT0aQwXcEr2',
      title: 'Plano Pro Acme - 30% off no primeiro mês',
      entryPoint: 'ctwa_ad',
    });
    // NOWEB spelling, nested elsewhere.
    expect(
      findAdReferral({
        message: { imageMessage: { contextInfo: { externalAdReply: { sourceId: '9', sourceUrl: 'u' } } } },
      }),
    ).toMatchObject({ sourceId: '9', sourceUrl: 'u' });
  });

  it('maps our own API message from message.any as outbound, with the counterparty as contact', () => {
    const event = parseWahaEvent(wahaFixture('webhook-message-any-outgoing-api'));
    if (event.kind !== 'message') throw new Error(event.kind);
    expect(event.event).toBe('message.any');
    expect(event.message).toMatchObject({
      direction: 'outbound',
      source: 'api',
      ack: 1,
      contact: { phone: '5511999990001', name: null },
    });
  });

  it('parses acks, revokes, reactions and session status', () => {
    expect(parseWahaEvent(wahaFixture('webhook-message-ack'))).toMatchObject({
      kind: 'ack',
      externalId: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9',
      ack: 3,
    });
    expect(parseWahaEvent(wahaFixture('webhook-message-revoked'))).toMatchObject({
      kind: 'revoked',
      chatId: '5511999990001@c.us',
      rawId: 'AC5B7D9F1B3D5F7B9D1F3B5D7F9B1D59',
    });
    expect(parseWahaEvent(wahaFixture('webhook-message-reaction'))).toMatchObject({
      kind: 'reaction',
      emoji: '👍',
      targetExternalId: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9',
      reactor: '5511999990001@c.us',
    });
    expect(parseWahaEvent(wahaFixture('webhook-session-status'))).toMatchObject({
      kind: 'session_status',
      status: 'WORKING',
    });
  });

  it('ignores status broadcasts, newsletters and events we do not process', () => {
    const status = wahaFixture('webhook-message-text');
    status.payload.id = 'false_status@broadcast_ABC_5511999990001@c.us';
    expect(parseWahaEvent(status)).toMatchObject({ kind: 'ignored' });
    const news = wahaFixture('webhook-message-text');
    news.payload.id = 'false_120363000000000009@newsletter_ABC';
    expect(parseWahaEvent(news)).toMatchObject({ kind: 'ignored' });
    expect(parseWahaEvent({ ...wahaFixture('webhook-message-text'), event: 'presence.update' })).toMatchObject({
      kind: 'ignored',
      event: 'presence.update',
    });
  });

  it('rejects malformed bodies with a ValidationError naming the field', () => {
    const cases: [unknown, string][] = [
      ['nope', 'body'],
      [{ ...wahaFixture('webhook-message-text'), event: undefined }, 'event'],
      [{ ...wahaFixture('webhook-message-text'), payload: 'x' }, 'payload'],
      [
        {
          ...wahaFixture('webhook-message-text'),
          payload: { ...wahaFixture('webhook-message-text').payload, id: 'garbage' },
        },
        'payload.id',
      ],
      [
        {
          ...wahaFixture('webhook-message-text'),
          payload: { ...wahaFixture('webhook-message-text').payload, timestamp: 1773147750630 },
        },
        'payload.timestamp',
      ],
      [
        { ...wahaFixture('webhook-message-ack'), payload: { ...wahaFixture('webhook-message-ack').payload, ack: 9 } },
        'payload.ack',
      ],
    ];
    for (const [body, field] of cases) {
      let error: unknown;
      try {
        parseWahaEvent(body);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('splits message ids and reads phones out of WhatsApp ids', () => {
    expect(splitMessageId('false_120363400000000001@g.us_3A9F_123@lid')).toEqual({
      fromMe: false,
      chatId: '120363400000000001@g.us',
      rawId: '3A9F',
      participant: '123@lid',
    });
    expect(phoneOfJid('5511999990000:12@s.whatsapp.net')).toBe('5511999990000');
    expect(phoneOfJid('123450000000002@lid')).toBeNull();
  });
});

/** The field of the ValidationError `parse` throws, or a description of what happened instead. */
function rejectedField(parse: () => unknown): string {
  try {
    parse();
  } catch (e) {
    return e instanceof ValidationError ? (e.field ?? 'no field') : `threw ${String(e)}`;
  }
  return 'no error';
}

const messageOf = (event: WahaEvent) => {
  if (event.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(event)}`);
  return event.message;
};

describe('WAHA payload shapes: one canonical external id per message', () => {
  const GOWS_2025_ID = 'false_5511999990007@c.us_3A0000C5C341306326AA';

  it('accepts the 2025 GOWS shape: bare payload.id, @s.whatsapp.net from, push name only in _data.Info', () => {
    const message = messageOf(parseWahaEvent(wahaFixture('webhook-message-text-gows-2025')));
    expect(message).toMatchObject({
      externalId: GOWS_2025_ID,
      chatId: '5511999990007@c.us',
      rawId: '3A0000C5C341306326AA',
      direction: 'inbound',
      type: 'text',
      text: 'Bom dia, ainda tem horário amanhã?',
      sentAt: '2025-09-23T14:10:37.000Z',
      contact: { phone: '5511999990007', whatsappId: '5511999990007@c.us', name: 'Bruna Lima' },
      group: null,
    });
  });

  it('gives the bare-id message, its prefixed message.any and every jid spelling of it the same external id', () => {
    const spellings = (mutate: (body: Record<string, any>) => void) => {
      const body = wahaFixture('webhook-message-text-gows-2025');
      mutate(body);
      return messageOf(parseWahaEvent(body)).externalId;
    };
    const ids = {
      bare: spellings(() => undefined),
      prefixedAny: spellings((b) => {
        b.event = 'message.any';
        b.payload.id = GOWS_2025_ID;
        b.payload.from = '5511999990007@c.us';
      }),
      prefixedWhatsappNet: spellings((b) => (b.payload.id = 'false_5511999990007@s.whatsapp.net_3A0000C5C341306326AA')),
      deviceSuffixInFrom: spellings((b) => (b.payload.from = '5511999990007:12@s.whatsapp.net')),
      deviceSuffixInId: spellings((b) => (b.payload.id = 'false_5511999990007:3@s.whatsapp.net_3A0000C5C341306326AA')),
      chatOnlyInInfo: spellings((b) => delete b.payload.from),
      fromMeOnlyInInfo: spellings((b) => delete b.payload.fromMe),
      lidChatWithPhoneInSenderAlt: spellings((b) => {
        b.payload.from = '111110000000007@lid';
        b.payload._data.Info.Chat = '111110000000007@lid';
        b.payload._data.Info.Sender = '111110000000007@lid';
        b.payload._data.Info.SenderAlt = '5511999990007@s.whatsapp.net';
      }),
      prefixedLidChat: spellings((b) => {
        b.payload.id = 'false_111110000000007@lid_3A0000C5C341306326AA';
        b.payload.from = '111110000000007@lid';
        b.payload._data.Info.Chat = '111110000000007:4@lid';
        b.payload._data.Info.Sender = '111110000000007@lid';
        b.payload._data.Info.SenderAlt = '5511999990007:4@s.whatsapp.net';
      }),
    };
    expect(ids).toEqual(Object.fromEntries(Object.keys(ids).map((k) => [k, GOWS_2025_ID])));
  });

  it('maps a @lid 1:1 chat to its phone chat, so the contact is the phone one, and ignores it when no phone is known', () => {
    const body = wahaFixture('webhook-message-text');
    body.payload.id = 'false_111110000000001@lid_AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47';
    body.payload.from = '111110000000001@lid';
    body.payload._data.Info.Chat = '111110000000001@lid';
    body.payload._data.Info.Sender = '111110000000001@lid';
    body.payload._data.Info.SenderAlt = '5511999990001@s.whatsapp.net';
    expect(messageOf(parseWahaEvent(body))).toMatchObject({
      externalId: 'false_5511999990001@c.us_AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
      chatId: '5511999990001@c.us',
      contact: { phone: '5511999990001', whatsappId: '5511999990001@c.us', name: 'Ana Souza' },
    });
    delete body.payload._data.Info.SenderAlt;
    expect(parseWahaEvent(body)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('@lid') });
  });

  it('never takes our own number for the counterparty of a fromMe message in a @lid chat', () => {
    const body = wahaFixture('webhook-message-any-outgoing-api');
    body.payload.id = 'true_111110000000001@lid_3EB0A1B2C3D4E5F6A7B8C9';
    body.payload.from = '111110000000001@lid';
    body.payload._data.Info.Chat = '111110000000001@lid';
    // Sender and SenderAlt are us: only RecipientAlt names the other side.
    body.payload._data.Info.SenderAlt = '5511999990000@s.whatsapp.net';
    expect(parseWahaEvent(body)).toMatchObject({ kind: 'ignored' });
    body.payload._data.Info.RecipientAlt = '5511999990001@s.whatsapp.net';
    expect(messageOf(parseWahaEvent(body))).toMatchObject({
      externalId: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9',
      direction: 'outbound',
      contact: { name: null },
    });
  });

  it('builds the group id of a bare-id group message from the group in from and the author in participant', () => {
    const prefixed = messageOf(parseWahaEvent(wahaFixture('webhook-message-group')));
    const bare = wahaFixture('webhook-message-group');
    bare.payload.id = '3A9F2E4D6C8B0A1F3E5D';
    expect(messageOf(parseWahaEvent(bare))).toEqual(prefixed);
    expect(prefixed.externalId).toBe('false_120363400000000001@g.us_3A9F2E4D6C8B0A1F3E5D_123450000000002@lid');

    const phoneAuthor = wahaFixture('webhook-message-group');
    phoneAuthor.payload.id = '3A9F2E4D6C8B0A1F3E5D';
    phoneAuthor.payload.participant = '5511999990002:7@s.whatsapp.net';
    delete phoneAuthor.payload._data.Info.SenderAlt;
    expect(messageOf(parseWahaEvent(phoneAuthor))).toMatchObject({
      externalId: 'false_120363400000000001@g.us_3A9F2E4D6C8B0A1F3E5D_5511999990002@c.us',
      contact: { phone: '5511999990002', whatsappId: '5511999990002@c.us', name: 'Bruno Lima' },
      group: { chatId: '120363400000000001@g.us', participant: '5511999990002@c.us' },
    });
  });

  it('takes the push name from the top level, else _data.Info.PushName, else NOWEB pushName or WEBJS notifyName', () => {
    const nameOf = (mutate: (data: Record<string, any>, payload: Record<string, any>) => void) => {
      const body = wahaFixture('webhook-message-text-gows-2025');
      mutate(body.payload._data, body.payload);
      return messageOf(parseWahaEvent(body)).contact.name;
    };
    expect(nameOf(() => undefined)).toBe('Bruna Lima');
    expect(nameOf((_, p) => (p.pushName = 'Top Level'))).toBe('Top Level');
    expect(
      nameOf((d) => {
        delete d.Info.PushName;
        d.pushName = 'Noweb';
      }),
    ).toBe('Noweb');
    expect(
      nameOf((d) => {
        delete d.Info.PushName;
        d.notifyName = 'Webjs';
      }),
    ).toBe('Webjs');
    expect(nameOf((_, p) => delete p._data)).toBeNull();
  });

  it('parses a message without the optional fields (_data, source, me, metadata, environment, hasMedia; body null)', () => {
    const body = wahaFixture('webhook-message-text-gows-2025');
    for (const key of ['me', 'metadata', 'environment']) delete body[key];
    for (const key of ['_data', 'source', 'hasMedia']) delete body.payload[key];
    body.payload.body = null;
    expect(messageOf(parseWahaEvent(body))).toMatchObject({
      externalId: GOWS_2025_ID,
      text: null,
      type: 'other',
      source: null,
      media: null,
      contact: { name: null },
    });
  });

  it('rejects a bare id with no chat or no direction, naming the field', () => {
    const noChat = wahaFixture('webhook-message-text-gows-2025');
    delete noChat.payload.from;
    delete noChat.payload._data;
    expect(rejectedField(() => parseWahaEvent(noChat))).toBe('payload.from');
    const noDirection = wahaFixture('webhook-message-text-gows-2025');
    delete noDirection.payload.fromMe;
    delete noDirection.payload._data.Info.IsFromMe;
    expect(rejectedField(() => parseWahaEvent(noDirection))).toBe('payload.fromMe');
  });

  it('canonicalises ack ids: bare id + from, and @s.whatsapp.net spellings', () => {
    const ackOf = (mutate: (payload: Record<string, any>) => void) => {
      const body = wahaFixture('webhook-message-ack');
      mutate(body.payload);
      const event = parseWahaEvent(body);
      if (event.kind !== 'ack') throw new Error(event.kind);
      return event.externalId;
    };
    const canonical = 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9';
    expect({
      prefixed: ackOf(() => undefined),
      bare: ackOf((p) => (p.id = '3EB0A1B2C3D4E5F6A7B8C9')),
      bareWhatsappNetFrom: ackOf((p) => {
        p.id = '3EB0A1B2C3D4E5F6A7B8C9';
        p.from = '5511999990001:2@s.whatsapp.net';
      }),
      bareChatOnlyInReceipt: ackOf((p) => {
        p.id = '3EB0A1B2C3D4E5F6A7B8C9';
        delete p.from;
        delete p.fromMe;
      }),
      bareLidFromWithReceiptPhone: ackOf((p) => {
        p.id = '3EB0A1B2C3D4E5F6A7B8C9';
        p.from = '111110000000001@lid';
      }),
    }).toEqual({
      prefixed: canonical,
      bare: canonical,
      bareWhatsappNetFrom: canonical,
      bareChatOnlyInReceipt: canonical,
      bareLidFromWithReceiptPhone: canonical,
    });
  });

  it('canonicalises reactions: a bare target is looked for in the reaction chat, ours first when they reacted', () => {
    const bare = wahaFixture('webhook-message-reaction');
    bare.payload.id = 'AC3D5F7A9B1C3E5D7F9A1B3C5D7E9F35';
    bare.payload.from = '5511999990001@s.whatsapp.net';
    bare.payload.reaction.messageId = '3EB0A1B2C3D4E5F6A7B8C9';
    expect(parseWahaEvent(bare)).toMatchObject({
      kind: 'reaction',
      reactionExternalId: 'false_5511999990001@c.us_AC3D5F7A9B1C3E5D7F9A1B3C5D7E9F35',
      targetExternalId: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9',
      alternativeTargetExternalId: 'false_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9',
      reactor: '5511999990001@c.us',
    });
    const spelled = wahaFixture('webhook-message-reaction');
    spelled.payload.reaction.messageId = 'true_5511999990001:5@s.whatsapp.net_3EB0A1B2C3D4E5F6A7B8C9';
    expect(parseWahaEvent(spelled)).toMatchObject({
      targetExternalId: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9',
      alternativeTargetExternalId: null,
    });
  });

  it('canonicalises the chat of a revoke: bare after.id with its from, @s.whatsapp.net and @lid with SenderAlt', () => {
    const chatOf = (mutate: (payload: Record<string, any>) => void) => {
      const body = wahaFixture('webhook-message-revoked');
      mutate(body.payload);
      const event = parseWahaEvent(body);
      if (event.kind !== 'revoked') throw new Error(event.kind);
      return event.chatId;
    };
    expect({
      prefixed: chatOf(() => undefined),
      bare: chatOf((p) => {
        p.after.id = 'AC6C8E0A2C4E6A8C0E2A4C6E8A0C2E6B';
        p.after.from = '5511999990001:3@s.whatsapp.net';
      }),
      noAfter: chatOf((p) => {
        p.after = null;
        p.from = '5511999990001@s.whatsapp.net';
      }),
      lid: chatOf((p) => {
        p.after.id = 'AC6C8E0A2C4E6A8C0E2A4C6E8A0C2E6B';
        p.after.from = '111110000000001@lid';
        p.after._data.Info.Chat = '111110000000001@lid';
        p.after._data.Info.Sender = '111110000000001@lid';
        p.after._data.Info.SenderAlt = '5511999990001@s.whatsapp.net';
      }),
    }).toEqual({
      prefixed: '5511999990001@c.us',
      bare: '5511999990001@c.us',
      noAfter: '5511999990001@c.us',
      lid: '5511999990001@c.us',
    });
  });

  it('answers an out-of-range or non-numeric timestamp with a ValidationError naming it, never a RangeError', () => {
    const withEnvelope = (timestamp: unknown) => ({ ...wahaFixture('webhook-message-ack'), timestamp });
    for (const bad of [1e20, -1, Number.NaN, Infinity, '1773147730904', 1773147730 /* seconds */, {}]) {
      expect({ bad, field: rejectedField(() => parseWahaEvent(withEnvelope(bad))) }).toEqual({
        bad,
        field: 'timestamp',
      });
    }
    expect(parseWahaEvent(withEnvelope(undefined))).toMatchObject({ kind: 'ack' });
    expect(rejectedField(() => parseWahaEvent({ ...wahaFixture('webhook-session-status'), timestamp: 1e20 }))).toBe(
      'timestamp',
    );

    const text = (timestamp: unknown) => ({
      ...wahaFixture('webhook-message-text'),
      payload: { ...wahaFixture('webhook-message-text').payload, timestamp },
    });
    for (const bad of [1e20, -5, 5, 9e10, Number.NaN, '1773147750'])
      expect({ bad, field: rejectedField(() => parseWahaEvent(text(bad))) }).toEqual({
        bad,
        field: 'payload.timestamp',
      });
    const revoked = wahaFixture('webhook-message-revoked');
    revoked.payload.after.timestamp = 1e20;
    expect(rejectedField(() => parseWahaEvent(revoked))).toBe('payload.after.timestamp');
    const reaction = wahaFixture('webhook-message-reaction');
    reaction.payload.timestamp = -1;
    expect(rejectedField(() => parseWahaEvent(reaction))).toBe('payload.timestamp');
    const ack = wahaFixture('webhook-message-text');
    ack.payload.ack = 1.5;
    expect(rejectedField(() => parseWahaEvent(ack))).toBe('payload.ack');
  });

  it('rejects at the door what the message aggregate would refuse later (a saga failing after its 202)', () => {
    const text = (mutate: (payload: Record<string, any>) => void) => {
      const body = wahaFixture('webhook-message-text');
      mutate(body.payload);
      return () => parseWahaEvent(body);
    };
    expect({
      latitude: rejectedField(text((p) => (p.location = { latitude: '91.5', longitude: '0' }))),
      longitude: rejectedField(text((p) => (p.location = { latitude: 0, longitude: -180.01 }))),
      body: rejectedField(text((p) => (p.body = 'x'.repeat(65_537)))),
      mediaUrl: rejectedField(
        text((p) => (p.media = { url: `http://x/${'y'.repeat(2_048)}`, mimetype: 'image/jpeg' })),
      ),
      vCards: rejectedField(text((p) => (p.vCards = Array(101).fill('BEGIN:VCARD')))),
      chatWithTwoAts: rejectedField(text((p) => (p.id = 'false_a@b@g.us_AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47_1@lid'))),
      bareIdWithBadFrom: rejectedField(
        text((p) => {
          p.id = 'AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47';
          p.from = 'not a jid@c.us';
        }),
      ),
    }).toEqual({
      latitude: 'payload.location.latitude',
      longitude: 'payload.location.longitude',
      body: 'payload.body',
      mediaUrl: 'payload.media.url',
      vCards: 'payload.vCards',
      chatWithTwoAts: 'payload.id',
      bareIdWithBadFrom: 'payload.from',
    });
    // A "phone" with a leading 0 is no E.164 number (PhoneNumber refuses it): not a contact we can create.
    expect(phoneOfJid('0123456789@c.us')).toBeNull();
    expect(text((p) => (p.id = 'false_0123456789@c.us_AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47'))()).toMatchObject({
      kind: 'ignored',
    });
  });

  it('spells jids canonically', () => {
    expect(
      ['5511999990000:12@s.whatsapp.net', '5511999990000@s.whatsapp.net', '5511999990000@c.us'].map(canonicalJid),
    ).toEqual(Array(3).fill('5511999990000@c.us'));
    expect(canonicalJid('123450000000002:3@lid')).toBe('123450000000002@lid');
    expect(canonicalJid('120363400000000001@g.us')).toBe('120363400000000001@g.us');
    expect(canonicalJid('status@broadcast')).toBe('status@broadcast');
  });
});

/** What the steps after the receiver would do with a parsed event; throws if any would reject it
 *  (that would be a saga failing after its 202, or a 500, instead of a 400 at the door). */
function assertStorable(event: WahaEvent): void {
  const at = (iso: string) => assertWhatsAppTime(new Date(iso), 'at');
  switch (event.kind) {
    case 'message': {
      const m = event.message;
      PhoneNumber.parse(m.contact.phone);
      PhoneNumber.parse(`${m.contact.phone}@c.us`);
      const latitude = m.location ? Number(m.location.latitude) : NaN;
      const longitude = m.location ? Number(m.location.longitude) : NaN;
      const ids = {
        tenantId: crypto.randomUUID(),
        sessionId: crypto.randomUUID(),
        contactId: crypto.randomUUID(),
        channelId: crypto.randomUUID(),
      };
      // As InboundConversationSteps.createMessage maps it.
      const stored = Message.create(
        {
          ...ids,
          direction: m.direction,
          externalId: m.externalId,
          type: m.type,
          text: m.text,
          media: m.media ? { ...m.media, caption: m.text } : null,
          ackLevel: m.direction === 'outbound' ? m.ack : null,
          sentAt: new Date(m.sentAt),
          metadata: {
            source: m.source,
            replyTo: m.replyTo ? { id: m.replyTo.id, body: m.replyTo.body, participant: null } : null,
            location:
              m.location && Number.isFinite(latitude) && Number.isFinite(longitude)
                ? { latitude, longitude, name: m.location.name, address: m.location.address }
                : null,
            vCards: m.vCards.length > 0 ? m.vCards : null,
            adReferral: m.adReferral ? referralFields(m.adReferral) : null,
            groupChatId: m.group?.chatId ?? null,
            participant: m.group?.participant ?? null,
          },
        },
        new Date(),
      );
      expect({ chatId: stored.waChatId, rawId: stored.waRawId }).toEqual({ chatId: m.chatId, rawId: m.rawId });
      return;
    }
    case 'ack':
      parseWaMessageId(event.externalId);
      return at(event.at);
    case 'revoked':
      assertWaChatId(event.chatId);
      assertWaRawId(event.rawId);
      return at(event.at);
    case 'reaction':
      parseWaMessageId(event.targetExternalId);
      if (event.alternativeTargetExternalId) parseWaMessageId(event.alternativeTargetExternalId);
      parseWaMessageId(event.reactionExternalId);
      return at(event.at);
    case 'session_status':
      return at(event.at);
    case 'ignored':
      return;
  }
}

const referralFields = ({ raw: _raw, ...fields }: NonNullable<InboundMessage['adReferral']>) => fields;

const WEBHOOK_FIXTURES: WahaFixture[] = [
  'webhook-message-text',
  'webhook-message-image',
  'webhook-message-group',
  'webhook-message-ctwa-ad',
  'webhook-message-any-outgoing-api',
  'webhook-message-ack',
  'webhook-message-reaction',
  'webhook-message-revoked',
  'webhook-session-status',
  'webhook-message-text-gows-2025',
];

/** Every [parent, key] of a JSON value, the root's keys included. */
function slots(
  value: unknown,
  out: [Record<string, unknown> | unknown[], string | number][] = [],
): [Record<string, unknown> | unknown[], string | number][] {
  if (Array.isArray(value))
    value.forEach((child, i) => {
      out.push([value, i]);
      slots(child, out);
    });
  else if (value && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, key]);
      slots(child, out);
    }
  return out;
}

describe('WAHA payload fuzzing: any mutation of any fixture is an event the next steps can store, or a ValidationError', () => {
  const TRICKY = [
    1e20,
    -1,
    0,
    1.5,
    1773147750630,
    1773147750,
    '',
    ' ',
    'garbage',
    'a_b_c',
    'true_x_y',
    'false_5511999990001@c.us_AC0_x@lid_extra',
    '5511999990001@s.whatsapp.net',
    '5511999990001:3@s.whatsapp.net',
    '0123456789@c.us',
    '123@c.us',
    '123450000000002@lid',
    '123:4@lid',
    'a@b@g.us',
    '120363400000000001@g.us',
    'status@broadcast',
    '1@newsletter',
    'weird@server',
    'AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
    '3EB0A1B2C3D4E5F6A7B8C9',
    'line\nbreak',
    'nul\u0000byte',
    'x'.repeat(70_000),
    null,
    true,
    false,
    [],
    {},
    { latitude: 999 },
    Array(101).fill('BEGIN:VCARD'),
  ];
  const value = fc.oneof(
    fc.constantFrom(...TRICKY),
    fc.jsonValue({ maxDepth: 2 }),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true }),
  );
  // Fields the parser reads, set even where the fixture has none (random slots only replace existing keys).
  const READ_PATHS = [
    'timestamp',
    'payload.id',
    'payload.from',
    'payload.fromMe',
    'payload.participant',
    'payload.author',
    'payload.timestamp',
    'payload.body',
    'payload.ack',
    'payload.media',
    'payload.media.url',
    'payload.media.mimetype',
    'payload.location',
    'payload.location.latitude',
    'payload.vCards',
    'payload.replyTo',
    'payload.replyTo.body',
    'payload.pushName',
    'payload._data.Info.Chat',
    'payload._data.Info.Sender',
    'payload._data.Info.SenderAlt',
    'payload._data.Info.RecipientAlt',
    'payload._data.Info.IsFromMe',
    'payload._data.Info.PushName',
    'payload._data.Chat',
    'payload._data.SenderAlt',
    'payload.reaction.messageId',
    'payload.reaction.text',
    'payload.after.id',
    'payload.after.from',
    'payload.after.timestamp',
    'payload.revokedMessageId',
    'me.id',
    'payload._data.Message.extendedTextMessage.contextInfo.externalAdReply.sourceUrl',
  ];
  const mutation = fc.oneof(
    fc.record({ slot: fc.nat(), remove: fc.boolean(), value }),
    fc.record({
      path: fc.constantFrom(...READ_PATHS),
      remove: fc.boolean(),
      value: fc.oneof(fc.constantFrom(...TRICKY), value),
    }),
  );
  const setPath = (body: Record<string, any>, path: string, remove: boolean, v: unknown) => {
    const keys = path.split('.');
    let parent = body;
    for (const key of keys.slice(0, -1)) {
      if (!parent[key] || typeof parent[key] !== 'object') parent[key] = {};
      parent = parent[key];
    }
    if (remove) delete parent[keys.at(-1)!];
    else parent[keys.at(-1)!] = structuredClone(v);
  };

  it('never throws anything but a ValidationError, and never returns what a later step would reject', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WEBHOOK_FIXTURES),
        fc.array(mutation, { minLength: 1, maxLength: 5 }),
        (name, mutations) => {
          const body = wahaFixture(name);
          for (const change of mutations) {
            if ('path' in change) {
              setPath(body, change.path, change.remove, change.value);
              continue;
            }
            const { slot, remove, value: v } = change;
            const all = slots(body);
            const [parent, key] = all[slot % all.length]!;
            if (remove) {
              if (Array.isArray(parent)) parent.splice(key as number, 1);
              else delete parent[key as string];
            } else (parent as Record<string | number, unknown>)[key] = structuredClone(v);
          }
          let event: WahaEvent;
          try {
            event = parseWahaEvent(JSON.parse(JSON.stringify(body)));
          } catch (error) {
            if (error instanceof ValidationError) return;
            throw error;
          }
          assertStorable(event);
          if (event.kind === 'message') {
            // Canonical ids are a fixed point: the canonical id itself parses to the same id.
            const again = JSON.parse(JSON.stringify(body));
            again.payload.id = event.message.externalId;
            expect(messageOf(parseWahaEvent(again)).externalId).toBe(event.message.externalId);
          }
        },
      ),
      { numRuns: 1500, seed: fuzzSeed() },
    );
  });
});

describe('WAHA HMAC', () => {
  it('matches the official test vector and rejects anything else', () => {
    const body = Buffer.from('{"event":"message","session":"default","engine":"WEBJS"}');
    const expected =
      '208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89';
    expect(signWahaBody(body, 'my-secret-key')).toBe(expected);
    expect(verifyWahaSignature(body, 'my-secret-key', expected)).toBe(true);
    expect(verifyWahaSignature(body, 'my-secret-key', expected.toUpperCase())).toBe(true);
    expect(verifyWahaSignature(body, 'other-key', expected)).toBe(false);
    expect(verifyWahaSignature(Buffer.from(`${body} `), 'my-secret-key', expected)).toBe(false);
    expect(verifyWahaSignature(body, 'my-secret-key', undefined)).toBe(false);
    expect(verifyWahaSignature(body, 'my-secret-key', 'abc')).toBe(false);
  });
});

/** What the fuzzing e2e (test/e2e/waha-fuzz.e2e-spec.ts) found: each of these used to pass the
 *  parser and fail later (500) or be stored. */
describe('WAHA webhook parsing: inputs found by fuzzing', () => {
  const fieldOf = (work: () => unknown): string | undefined => {
    try {
      work();
    } catch (error) {
      if (error instanceof ValidationError) return error.field;
      throw error;
    }
    throw new Error('expected a ValidationError');
  };

  it('refuses an envelope timestamp no date can hold (toISOString threw: 500), naming timestamp', () => {
    for (const timestamp of [1e20, -1e20, Number.MAX_VALUE]) {
      expect(fieldOf(() => parseWahaEvent({ ...wahaFixture('webhook-message-ack'), timestamp }))).toBe('timestamp');
    }
  });

  it('refuses message ids longer than the message context stores, naming the payload field (not externalId)', () => {
    const long = `false_5511999990001@c.us_${'A'.repeat(600)}`;
    const text = wahaFixture('webhook-message-text');
    expect(fieldOf(() => parseWahaEvent({ ...text, payload: { ...text.payload, id: long } }))).toBe('payload.id');
    const revoked = wahaFixture('webhook-message-revoked');
    expect(
      fieldOf(() => parseWahaEvent({ ...revoked, payload: { ...revoked.payload, revokedMessageId: 'A'.repeat(600) } })),
    ).toBe('payload.revokedMessageId');
  });

  it('refuses an ack of a chat no message can come from (it would stay pending forever)', () => {
    const ack = wahaFixture('webhook-message-ack');
    expect(fieldOf(() => parseWahaEvent({ ...ack, payload: { ...ack.payload, id: 'true_😀@nowhere_ABC' } }))).toBe(
      'payload.id',
    );
    expect(fieldOf(() => parseWahaEvent({ ...ack, payload: { ...ack.payload, id: 'true_😀@c.us_ABC' } }))).toBe(
      'payload.id',
    );
  });

  it('refuses a reaction to a message in a chat no message can come from (it would be held until purged)', () => {
    const reaction = wahaFixture('webhook-message-reaction');
    for (const messageId of ['false_😀@c.us_ABC', 'true_5511999990001@nowhere_ABC']) {
      const body = {
        ...reaction,
        payload: { ...reaction.payload, reaction: { ...reaction.payload.reaction, messageId } },
      };
      expect(fieldOf(() => parseWahaEvent(body))).toBe('payload.reaction.messageId');
    }
  });

  it('ignores a phone chat (@c.us) whose user part is no phone number instead of taking the phone from _data', () => {
    const text = wahaFixture('webhook-message-text');
    const event = parseWahaEvent({ ...text, payload: { ...text.payload, id: 'false_😀@c.us_ABC' } });
    expect(event).toMatchObject({ kind: 'ignored', reason: 'chat id 😀@c.us is not a phone number' });
  });
});
