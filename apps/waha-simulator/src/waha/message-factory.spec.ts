import { keyPaths, loadFixture } from '../testing/shape';
import { buildAckBody, buildEdited, buildMessage, buildReaction, buildRevoked, isoSeconds, sampleAdReferral } from './message-factory';
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
    const ad = (expected._data.Message.extendedTextMessage as { contextInfo: { externalAdReply: Record<string, string> } }).contextInfo.externalAdReply;
    const built = buildMessage({
      me,
      chatId: '5511999990001@c.us',
      rawId: 'AC1F3B7E9D2C4A6F8E0B1D3C5A7E9F21',
      timestamp: 1773147600,
      fromMe: false,
      source: 'app',
      pushName: 'Ana Souza',
      text: expected.body,
      adReferral: { title: ad.title, body: ad.body, sourceId: ad.sourceID, sourceUrl: ad.sourceURL, thumbnailUrl: ad.thumbnailURL, ctwaClid: ad.ctwaClid },
      ack: 2,
    });
    expect(built).toEqual(expected);
    expect(keyPaths(buildMessage({ ...baseIncoming(), adReferral: sampleAdReferral('AC00') }))).toEqual(keyPaths(expected));
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
    expect(built._data.Message.imageMessage).toMatchObject({ mimetype: 'image/jpeg', caption: expected.body, fileLength: 184233, width: 720, height: 1600 });
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
    const target = buildMessage({ ...baseIncoming(), rawId: 'AC5B7D9F1B3D5F7B9D1F3B5D7F9B1D59', timestamp: 1773147770 });
    const built = buildRevoked(me, target, 'AC6C8E0A2C4E6A8C0E2A4C6E8A0C2E6B', 1773147776, 'Ana Souza');
    expect(built).toEqual(expected);
  });

  it('message.edited carries the new body and editedMessageId', () => {
    const target = buildMessage(baseIncoming());
    const edited = buildEdited(me, target, 'AC99', 1773147790, 'Ana Souza', 'corrigido');
    expect(edited.body).toBe('corrigido');
    expect(edited.editedMessageId).toBe('AC00');
    expect(edited.id).toBe('false_5511999990001@c.us_AC99');
    expect(edited._data.Message.protocolMessage).toMatchObject({ type: 14, editedMessage: { conversation: 'corrigido' } });
  });

  it('formats whatsmeow timestamps at second precision', () => {
    expect(isoSeconds(1773147750)).toBe('2026-03-10T13:02:30Z');
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
