import { ValidationError } from '@app/shared';
import { aMessage } from '../testing/message.mother';
import { MessageGroup } from './message-group.aggregate';

const SESSION = '1a2b3c4d-0000-4000-8000-000000000001';
const CHANNEL = '1a2b3c4d-0000-4000-8000-000000000003';
const TENANT = '6f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f';
const GROUP = '7e57a000-0000-4000-8000-000000000001';
const NOW = new Date('2026-03-10T13:03:00.000Z');

describe('MessageGroup', () => {
  it('keeps the collected order, takes first/last from the WhatsApp times and records message.group.completed', () => {
    const late = aMessage({ sentAt: new Date('2026-03-10T13:02:40Z') });
    const early = aMessage({ sentAt: new Date('2026-03-10T13:02:30Z') });
    const group = MessageGroup.complete(
      {
        id: GROUP,
        tenantId: TENANT,
        sessionId: SESSION,
        channelId: CHANNEL,
        messages: [late, early],
        completedAt: NOW,
      },
      NOW,
    );
    expect(group.toProps()).toEqual({
      id: GROUP,
      tenantId: TENANT,
      sessionId: SESSION,
      channelId: CHANNEL,
      messageIds: [late.id, early.id],
      firstMessageAt: new Date('2026-03-10T13:02:30Z'),
      lastMessageAt: new Date('2026-03-10T13:02:40Z'),
      completedAt: NOW,
    });
    const [event] = group.pullEvents();
    expect(event).toMatchObject({
      type: 'message.group.completed',
      aggregateType: 'message_group',
      aggregateId: GROUP,
    });
    expect(event!.data).toEqual({
      groupId: GROUP,
      sessionId: SESSION,
      channelId: CHANNEL,
      messageIds: [late.id, early.id],
      count: 2,
      firstMessageAt: '2026-03-10T13:02:30.000Z',
      lastMessageAt: '2026-03-10T13:02:40.000Z',
      completedAt: NOW.toISOString(),
    });
  });

  it.each([
    ['no messages', () => [], 'messageIds'],
    [
      'a message of another session',
      () => [aMessage({ sessionId: '1a2b3c4d-0000-4000-8000-0000000000ff' })],
      'messageIds',
    ],
    [
      'a message of another channel',
      () => [aMessage({ channelId: '1a2b3c4d-0000-4000-8000-0000000000ff' })],
      'channelId',
    ],
    [
      'the same message twice',
      () => {
        const m = aMessage();
        return [m, m];
      },
      'messageIds',
    ],
  ])('refuses %s', (_what, messages, field) => {
    let caught: unknown;
    try {
      MessageGroup.complete(
        { id: GROUP, tenantId: TENANT, sessionId: SESSION, channelId: CHANNEL, messages: messages(), completedAt: NOW },
        NOW,
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe(field);
  });
});
