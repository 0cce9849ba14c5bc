/** Outbox `type` raised when the debouncer closes a burst of messages. */
export const MessageGroupEventTypes = {
  completed: 'message.group.completed',
} as const;

export const MESSAGE_GROUP_AGGREGATE_TYPE = 'message_group';

/** `data` of `message.group.completed`. */
export interface MessageGroupCompletedEventData {
  groupId: string;
  sessionId: string;
  channelId: string;
  /** In the order the debouncer collected them. */
  messageIds: string[];
  count: number;
  /** WhatsApp time of the earliest and latest message, ISO 8601. */
  firstMessageAt: string;
  lastMessageAt: string;
  /** ISO 8601. */
  completedAt: string;
}
