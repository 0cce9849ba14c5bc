import { Message, type NewMessage } from '../domain/message.aggregate';

let sequence = 0;

/** A unique raw id in WhatsApp's style (32 upper-case hex characters starting with AC). */
export function rawMessageId(): string {
  sequence += 1;
  const random = globalThis.crypto.randomUUID().replace(/-/g, '').toUpperCase();
  return `AC${sequence.toString(16).toUpperCase().padStart(6, '0')}${random.slice(0, 24)}`;
}

/** A WAHA message id for a 1:1 chat with `phone`. */
export function waMessageId(
  direction: 'inbound' | 'outbound',
  phone = '5511999990001',
  rawId = rawMessageId(),
): string {
  return `${direction === 'outbound'}_${phone}@c.us_${rawId}`;
}

/** Valid input for Message.create / CreateMessage: an inbound text from the fixtures' Ana. */
export function newMessageInput(overrides: Partial<NewMessage> = {}): NewMessage {
  const direction = overrides.direction ?? 'inbound';
  return {
    tenantId: '6f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f',
    sessionId: '1a2b3c4d-0000-4000-8000-000000000001',
    contactId: '1a2b3c4d-0000-4000-8000-000000000002',
    channelId: '1a2b3c4d-0000-4000-8000-000000000003',
    direction,
    externalId: waMessageId(direction),
    type: 'text',
    text: 'Pode mandar sim, obrigada!',
    // 2026-03-10T13:02:30Z: webhook-message-text.json's `timestamp` 1773147750 (seconds).
    sentAt: new Date(1773147750 * 1000),
    ackLevel: direction === 'inbound' ? 2 : 1,
    ...overrides,
  };
}

/** A new message (its message.created still pending in pullEvents()). */
export function aMessage(overrides: Partial<NewMessage> = {}, now = new Date('2026-03-10T13:02:31.000Z')): Message {
  return Message.create(newMessageInput(overrides), now);
}
