import { type MessageGroup } from '../domain/message-group.aggregate';

/** A completed message group, plain and serialisable. */
export interface MessageGroupView {
  id: string;
  sessionId: string;
  channelId: string;
  messageIds: string[];
  count: number;
  firstMessageAt: string;
  lastMessageAt: string;
  completedAt: string;
}

export function toMessageGroupView(group: MessageGroup): MessageGroupView {
  const props = group.toProps();
  return {
    id: props.id,
    sessionId: props.sessionId,
    channelId: props.channelId,
    messageIds: props.messageIds,
    count: props.messageIds.length,
    firstMessageAt: props.firstMessageAt.toISOString(),
    lastMessageAt: props.lastMessageAt.toISOString(),
    completedAt: props.completedAt.toISOString(),
  };
}
