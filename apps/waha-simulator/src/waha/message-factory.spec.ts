import { keyPaths, loadFixture } from '../testing/shape';
import {
  applyGows2025Shape,
  buildAckBody,
  buildEdited,
  buildMessage,
  buildReaction,
  buildRevoked,
  isoSeconds,
  sampleAdReferral,
  toGows2025Shape,
} from './message-factory';
import type { MeInfo, WAMessage } from './types';

interface Envelope<T = WAMessage> {
  me: MeInfo;
  payload: T;
}

const fixture = <T = WAMessage>(name: string) => loadFixture<Envelope<T>>(name);
const me = fixture('webhook-message-text.json').me;

describe('GOWS message payloads reproduce the fixtures', () => {
  it('incoming text (`message`)', () => {
    const expected = fixture('webhook-message-text.json').payload;
    const built = buildMessage({
      me,
      chatId: '5511999990001@c.us',
      rawId: 'AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
      timestamp: 1773147750,
      fromMe: false,
      source: 'app',
      pushName: 'Ana Souza',
      text: 'Pode mandar sim, obrigada!',
      ack: 2,
    });
    expect(built).toEqual(expected);
    expect(JSON.stringify(built)).toBe(JSON.stringify(expected));
  });

  it('own message sent through the API (`message.any`, ack SERVER)', () => {
    const expected = fixture('webhook-message-any-outgoing-api.json').payload;
    const built = buildMessage({
      me,
      chatId: '5511999990001@c.us',
      rawId: '3EB0A1B2C3D4E5F6A7B8C9',
      timestamp: 1773147695,
      fromMe: true,
      source: 'api',
      pushName: me.pushName,
      text: expected.body,
      ack: 1,
    });
    expect(built).toEqual(expected);
  });

  it('Click-to-WhatsApp ad message (externalAdReply in _data)', () => {
    const expected = fixture('webhook-message-ctwa-ad.json').payload;
    const ad = (
      expected._data.Message.extendedTextMessage as { contextInfo: { externalAdReply: Record<string, string> } }
    ).contextInfo.externalAdReply;
    const built = buildMessage({
      me,
      chatId: '5511999990001@c.us',
      rawId: 'AC1F3B7E9D2C4A6F8E0B1D3C5A7E9F21',
      timestamp: 1773147600,
      fromMe: false,
      source: 'app',
      pushName: 'Ana Souza',
      text: expected.body,
      adReferral: {
        title: ad.title,
        body: ad.body,
        sourceId: ad.sourceID,
        sourceUrl: ad.sourceURL,
        thumbnailUrl: ad.thumbnailURL,
        ctwaClid: ad.ctwaClid,
      },
      ack: 2,
    });
    expect(built).toEqual(expected);
    expect(keyPaths(buildMessage({ ...baseIncoming(), adReferral: sampleAdReferral('AC00') }))).toEqual(
      keyPaths(expected),
    );
  });

  it('group message from a @lid author (4-part id, SenderAlt)', () => {
    const expected = fixture('webhook-message-group.json').payload;
    const built = buildMessage({
      me,
      chatId: '120363400000000001@g.us',
      rawId: '3A9F2E4D6C8B0A1F3E5D',
      timestamp: 1773147800,
      fromMe: false,
      source: 'app',
      pushName: 'Bruno Lima',
      text: expected.body,
      author: '123450000000002@lid',
      authorPhoneJid: '5511999990002@s.whatsapp.net',
      ack: 2,
    });
    expect(built).toEqual(expected);
  });

  it('image with caption and downloaded media (same keys; URLs are the simulator own)', () => {
    const expected = fixture('webhook-message-image.json').payload;
    const built = buildMessage({
      me,
      chatId: '5511999990001@c.us',
      rawId: 'AC2B7E1F4D9A3C5E8B0F6A2D4C7E9B13',
      timestamp: 1773147640,
      fromMe: false,
      source: 'app',
      pushName: 'Ana Souza',
      text: expected.body,
      image: { mimetype: 'image/jpeg', fileLength: 184233, width: 720, height: 1600 },
      mediaUrl: expected.media!.url,
      ack: 2,
    });
    expect(keyPaths(built)).toEqual(keyPaths(expected));
    const strip = (m: WAMessage) => ({ ...m, _data: { ...m._data, Message: {} } });
    expect(strip(built)).toEqual(strip(expected));
    expect(built._data.Message.imageMessage).toMatchObject({
      mimetype: 'image/jpeg',
      caption: expected.body,
      fileLength: 184233,
      width: 720,
      height: 1600,
    });
  });

  it('message.ack READ', () => {
    const expected = fixture<Record<string, unknown>>('webhook-message-ack.json').payload;
    const sent = fixture('webhook-message-any-outgoing-api.json').payload;
    expect(buildAckBody(sent, 3, Date.parse('2026-03-10T13:02:10Z') / 1000)).toEqual(expected);
    expect(buildAckBody(sent, 2, 0)._data.Type).toBe('');
  });

  it('message.reaction', () => {
    const expected = fixture<Record<string, unknown>>('webhook-message-reaction.json').payload;
    const built = buildReaction({
      chatId: '5511999990001@c.us',
      rawId: 'AC3D5F7A9B1C3E5D7F9A1B3C5D7E9F35',
      timestamp: 1773147740,
      fromMe: false,
      reactor: null,
      emoji: '👍',
      targetMessageId: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9',
    });
    expect(built).toEqual(expected);
  });

  it('message.revoked (after = the revoke action, revokedMessageId = bare raw id)', () => {
    const expected = fixture<Record<string, unknown>>('webhook-message-revoked.json').payload;
    const target = buildMessage({
      ...baseIncoming(),
      rawId: 'AC5B7D9F1B3D5F7B9D1F3B5D7F9B1D59',
      timestamp: 1773147770,
    });
    const built = buildRevoked(me, target, 'AC6C8E0A2C4E6A8C0E2A4C6E8A0C2E6B', 1773147776, 'Ana Souza');
    expect(built).toEqual(expected);
  });

  it('message.edited carries the new body and editedMessageId', () => {
    const target = buildMessage(baseIncoming());
    const edited = buildEdited(me, target, 'AC99', 1773147790, 'Ana Souza', 'corrigido');
    expect(edited.body).toBe('corrigido');
    expect(edited.editedMessageId).toBe('AC00');
    expect(edited.id).toBe('false_5511999990001@c.us_AC99');
    expect(edited._data.Message.protocolMessage).toMatchObject({
      type: 14,
      editedMessage: { conversation: 'corrigido' },
    });
  });

  it('formats whatsmeow timestamps at second precision', () => {
    expect(isoSeconds(1773147750)).toBe('2026-03-10T13:02:30Z');
    // The reused date part must follow the day; compare with Date across days, leap days and fractions.
    for (const t of [
      0,
      59,
      86_399,
      86_400,
      951_782_400 + 86_399,
      1_709_164_800,
      1773147750.9,
      1773100800,
      1773100799,
      4_102_444_799,
    ]) {
      expect(isoSeconds(t)).toBe(new Date(Math.floor(t) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    }
  });

  it('voice note, video and document: whatsmeow message keys, WAHA media with the document file name', () => {
    const base = baseIncoming();
    const audio = buildMessage({
      ...base,
      text: null,
      media: { kind: 'audio', mimetype: 'audio/ogg; codecs=opus', fileLength: 30, seconds: 7 },
    });
    expect(audio).toMatchObject({
      hasMedia: true,
      body: null,
      media: { url: null, mimetype: 'audio/ogg; codecs=opus', filename: null, error: null },
    });
    expect(audio._data.Info).toMatchObject({ Type: 'media', MediaType: 'ptt' });
    expect(audio._data.Message.audioMessage).toMatchObject({
      mimetype: 'audio/ogg; codecs=opus',
      seconds: 7,
      PTT: true,
    });
    const video = buildMessage({
      ...base,
      text: 'veja',
      media: { kind: 'video', mimetype: 'video/mp4', fileLength: 30, seconds: 5, width: 640, height: 360 },
    });
    expect(video._data.Info.MediaType).toBe('video');
    expect(video._data.Message.videoMessage).toMatchObject({
      mimetype: 'video/mp4',
      caption: 'veja',
      seconds: 5,
      width: 640,
      height: 360,
    });
    const doc = buildMessage({
      ...base,
      text: null,
      media: {
        kind: 'document',
        mimetype: 'application/pdf',
        fileLength: 30,
        fileName: 'contrato-1234.pdf',
        pageCount: 3,
      },
    });
    expect(doc.media).toEqual({ url: null, mimetype: 'application/pdf', filename: 'contrato-1234.pdf', error: null });
    expect(doc._data.Info.MediaType).toBe('document');
    expect(doc._data.Message.documentMessage).toMatchObject({
      fileName: 'contrato-1234.pdf',
      title: 'contrato-1234.pdf',
      pageCount: 3,
    });
    expect(doc._data.Message.documentMessage).not.toHaveProperty('caption');
  });

  it('carries the phone behind a 1:1 @lid chat as SenderAlt (theirs) or RecipientAlt (ours)', () => {
    const lidChat = { ...baseIncoming(), chatId: '123450000000009@lid', chatPhoneJid: '5521987650000@s.whatsapp.net' };
    expect(buildMessage(lidChat)._data.Info).toMatchObject({
      Chat: '123450000000009@lid',
      SenderAlt: '5521987650000@s.whatsapp.net',
      AddressingMode: 'lid',
    });
    const ours = buildMessage({ ...lidChat, fromMe: true, source: 'api', ack: 3 })._data.Info;
    expect(ours).toMatchObject({ RecipientAlt: '5521987650000@s.whatsapp.net', AddressingMode: 'lid' });
    expect(ours).not.toHaveProperty('SenderAlt');
    expect(
      buildMessage({ ...baseIncoming(), chatPhoneJid: '5521987650000@s.whatsapp.net' })._data.Info,
    ).not.toHaveProperty('SenderAlt');
  });

  it('applyGows2025Shape spells in place what toGows2025Shape spells on a copy', () => {
    const built = buildMessage(baseIncoming());
    const copied = toGows2025Shape(built);
    expect(built.id).toBe('false_5511999990001@c.us_AC00');
    expect(applyGows2025Shape(built)).toBe(built);
    expect(built).toEqual(copied);
    expect(built).toMatchObject({ id: 'AC00', from: '5511999990001@s.whatsapp.net' });
  });

  function baseIncoming() {
    return {
      me,
      chatId: '5511999990001@c.us',
      rawId: 'AC00',
      timestamp: 1773147750,
      fromMe: false,
      source: 'app' as const,
      pushName: 'Ana Souza',
      text: 'oi',
      ack: 2 as const,
    };
  }
});
