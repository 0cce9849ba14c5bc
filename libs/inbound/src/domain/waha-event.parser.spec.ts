import { ValidationError } from '@app/shared';
import { wahaFixture } from '../../../../test/fixtures/waha';
import { findAdReferral, parseWahaEvent, phoneOfJid, splitMessageId } from './waha-event.parser';
import { signWahaBody, verifyWahaSignature } from './waha-hmac';

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
    expect(event.message.contact).toEqual({ phone: '5511999990002', whatsappId: '123450000000002@lid', name: 'Bruno Lima' });
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
    expect(findAdReferral({ message: { imageMessage: { contextInfo: { externalAdReply: { sourceId: '9', sourceUrl: 'u' } } } } })).toMatchObject({ sourceId: '9', sourceUrl: 'u' });
  });

  it('maps our own API message from message.any as outbound, with the counterparty as contact', () => {
    const event = parseWahaEvent(wahaFixture('webhook-message-any-outgoing-api'));
    if (event.kind !== 'message') throw new Error(event.kind);
    expect(event.event).toBe('message.any');
    expect(event.message).toMatchObject({ direction: 'outbound', source: 'api', ack: 1, contact: { phone: '5511999990001', name: null } });
  });

  it('parses acks, revokes, reactions and session status', () => {
    expect(parseWahaEvent(wahaFixture('webhook-message-ack'))).toMatchObject({
      kind: 'ack', externalId: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9', ack: 3,
    });
    expect(parseWahaEvent(wahaFixture('webhook-message-revoked'))).toMatchObject({
      kind: 'revoked', chatId: '5511999990001@c.us', rawId: 'AC5B7D9F1B3D5F7B9D1F3B5D7F9B1D59',
    });
    expect(parseWahaEvent(wahaFixture('webhook-message-reaction'))).toMatchObject({
      kind: 'reaction', emoji: '👍', targetExternalId: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9', reactor: '5511999990001@c.us',
    });
    expect(parseWahaEvent(wahaFixture('webhook-session-status'))).toMatchObject({ kind: 'session_status', status: 'WORKING' });
  });

  it('ignores status broadcasts, newsletters and events we do not process', () => {
    const status = wahaFixture('webhook-message-text');
    status.payload.id = 'false_status@broadcast_ABC_5511999990001@c.us';
    expect(parseWahaEvent(status)).toMatchObject({ kind: 'ignored' });
    const news = wahaFixture('webhook-message-text');
    news.payload.id = 'false_120363000000000009@newsletter_ABC';
    expect(parseWahaEvent(news)).toMatchObject({ kind: 'ignored' });
    expect(parseWahaEvent({ ...wahaFixture('webhook-message-text'), event: 'presence.update' })).toMatchObject({ kind: 'ignored', event: 'presence.update' });
  });

  it('rejects malformed bodies with a ValidationError naming the field', () => {
    const cases: [unknown, string][] = [
      ['nope', 'body'],
      [{ ...wahaFixture('webhook-message-text'), event: undefined }, 'event'],
      [{ ...wahaFixture('webhook-message-text'), payload: 'x' }, 'payload'],
      [{ ...wahaFixture('webhook-message-text'), payload: { ...wahaFixture('webhook-message-text').payload, id: 'garbage' } }, 'payload.id'],
      [{ ...wahaFixture('webhook-message-text'), payload: { ...wahaFixture('webhook-message-text').payload, timestamp: 1773147750630 } }, 'payload.timestamp'],
      [{ ...wahaFixture('webhook-message-ack'), payload: { ...wahaFixture('webhook-message-ack').payload, ack: 9 } }, 'payload.ack'],
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
    expect(splitMessageId('false_120363400000000001@g.us_3A9F_123@lid')).toEqual({ fromMe: false, chatId: '120363400000000001@g.us', rawId: '3A9F', participant: '123@lid' });
    expect(phoneOfJid('5511999990000:12@s.whatsapp.net')).toBe('5511999990000');
    expect(phoneOfJid('123450000000002@lid')).toBeNull();
  });
});

describe('WAHA HMAC', () => {
  it('matches the official test vector and rejects anything else', () => {
    const body = Buffer.from('{"event":"message","session":"default","engine":"WEBJS"}');
    const expected = '208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89';
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
    expect(fieldOf(() => parseWahaEvent({ ...revoked, payload: { ...revoked.payload, revokedMessageId: 'A'.repeat(600) } }))).toBe('payload.revokedMessageId');
  });

  it('refuses an ack of a chat no message can come from (it would stay pending forever)', () => {
    const ack = wahaFixture('webhook-message-ack');
    expect(fieldOf(() => parseWahaEvent({ ...ack, payload: { ...ack.payload, id: 'true_😀@nowhere_ABC' } }))).toBe('payload.id');
  });

  it('ignores a phone chat (@c.us) whose user part is no phone number instead of taking the phone from _data', () => {
    const text = wahaFixture('webhook-message-text');
    const event = parseWahaEvent({ ...text, payload: { ...text.payload, id: 'false_😀@c.us_ABC' } });
    expect(event).toMatchObject({ kind: 'ignored', reason: 'chat id 😀@c.us is not a phone number' });
  });
});
