import { type MessageGroup } from './message-group.aggregate';

export abstract class MessageGroupRepository {
  /** Stores the group unless its id is taken. Returns whether this call stored it. */
  abstract insertIfAbsent(group: MessageGroup): Promise<boolean>;
  abstract findById(tenantId: string, id: string): Promise<MessageGroup | null>;
}
