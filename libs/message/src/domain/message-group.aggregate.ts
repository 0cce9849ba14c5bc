import { AggregateRoot, ValidationError, assertUuid } from '@app/shared';
import { type Message } from './message.aggregate';
import {
  MESSAGE_GROUP_AGGREGATE_TYPE,
  type MessageGroupCompletedEventData,
  MessageGroupEventTypes,
} from './message-group.events';

/** Most messages one group may hold; a debounce window never collects nearly as many. */
export const MESSAGE_GROUP_MAX_SIZE = 1000;

export interface MessageGroupProps {
  id: string;
  tenantId: string;
  sessionId: string;
  channelId: string;
  messageIds: string[];
  firstMessageAt: Date;
  lastMessageAt: Date;
  completedAt: Date;
}

export interface NewMessageGroup {
  id: string;
  tenantId: string;
  sessionId: string;
  channelId: string;
  /** The group's messages, in the order they were collected (no duplicates). */
  messages: Message[];
  completedAt: Date;
}

/** A burst of messages of one session that the debouncer handed on together. */
export class MessageGroup extends AggregateRoot {
  protected readonly aggregateType = MESSAGE_GROUP_AGGREGATE_TYPE;

  private constructor(private readonly props: MessageGroupProps) {
    super();
  }

  /** A completed group; records `message.group.completed`. Every message must belong to the session and channel. */
  static complete(input: NewMessageGroup, now: Date): MessageGroup {
    assertUuid(input.id, 'groupId');
    assertUuid(input.tenantId, 'tenantId');
    assertUuid(input.sessionId, 'sessionId');
    assertUuid(input.channelId, 'channelId');
    if (!(input.completedAt instanceof Date) || Number.isNaN(input.completedAt.getTime())) {
      throw new ValidationError('at', 'must be a valid date');
    }
    if (input.messages.length === 0) throw new ValidationError('messageIds', 'must not be empty');
    if (input.messages.length > MESSAGE_GROUP_MAX_SIZE) {
      throw new ValidationError('messageIds', `must hold at most ${MESSAGE_GROUP_MAX_SIZE} ids`);
    }
    if (new Set(input.messages.map((m) => m.id)).size !== input.messages.length) {
      throw new ValidationError('messageIds', 'must not repeat a message');
    }
    for (const message of input.messages) {
      if (message.tenantId !== input.tenantId || message.sessionId !== input.sessionId) {
        throw new ValidationError('messageIds', `message ${message.id} belongs to another session`);
      }
      if (message.channelId !== input.channelId) {
        throw new ValidationError('channelId', `must be the channel of message ${message.id}`);
      }
    }
    const times = input.messages.map((m) => m.sentAt.getTime());
    const group = new MessageGroup({
      id: input.id,
      tenantId: input.tenantId,
      sessionId: input.sessionId,
      channelId: input.channelId,
      messageIds: input.messages.map((m) => m.id),
      firstMessageAt: new Date(Math.min(...times)),
      lastMessageAt: new Date(Math.max(...times)),
      completedAt: new Date(input.completedAt.getTime()),
    });
    group.record<MessageGroupCompletedEventData>(
      MessageGroupEventTypes.completed,
      group.props.tenantId,
      group.props.id,
      {
        groupId: group.props.id,
        sessionId: group.props.sessionId,
        channelId: group.props.channelId,
        messageIds: [...group.props.messageIds],
        count: group.props.messageIds.length,
        firstMessageAt: group.props.firstMessageAt.toISOString(),
        lastMessageAt: group.props.lastMessageAt.toISOString(),
        completedAt: group.props.completedAt.toISOString(),
      },
      now,
    );
    return group;
  }

  static rehydrate(props: MessageGroupProps): MessageGroup {
    return new MessageGroup({ ...props, messageIds: [...props.messageIds] });
  }

  get id(): string {
    return this.props.id;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get sessionId(): string {
    return this.props.sessionId;
  }
  get channelId(): string {
    return this.props.channelId;
  }

  toProps(): MessageGroupProps {
    return { ...this.props, messageIds: [...this.props.messageIds] };
  }
}
