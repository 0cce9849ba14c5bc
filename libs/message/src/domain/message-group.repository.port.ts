import { type MessageGroup } from './message-group.aggregate';

export abstract class MessageGroupRepository {
  /** Stores the group unless its id is taken. Returns whether this call stored it. */
  abstract insertIfAbsent(group: MessageGroup): Promise<boolean>;
  abstract findById(tenantId: string, id: string): Promise<MessageGroup | null>;
  /** Those of `messageIds` that a stored group of the session, other than `exceptGroupId`, holds. */
  abstract findGroupedMessageIds(
    tenantId: string,
    sessionId: string,
    messageIds: string[],
    exceptGroupId: string,
  ): Promise<string[]>;
}
