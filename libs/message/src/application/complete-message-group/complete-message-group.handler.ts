import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, ValidationError, assertUuid, isUuid } from '@app/shared';
import { MessageGroup, MESSAGE_GROUP_MAX_SIZE } from '../../domain/message-group.aggregate';
import { MessageGroupRepository } from '../../domain/message-group.repository.port';
import { MessageGroupConflictError, MessageNotFoundError } from '../../domain/message.errors';
import { MessageRepository } from '../../domain/message.repository.port';
import { type MessageGroupView, toMessageGroupView } from '../message-group.view';
import { type CompleteMessageGroupCommand } from './complete-message-group.command';

/**
 * Stores a completed group of a session's messages (first/last message time taken from the
 * messages) and raises `message.group.completed`. Idempotent on groupId: a repeated call returns the
 * stored group and raises nothing. Every message must exist in the tenant and belong to the session.
 * A message is grouped once: those another group of the session holds already (a repeated
 * debouncer signal, e.g. from a redelivered webhook, after their group completed) are left out, and
 * when none is left nothing is stored and the result is null.
 */
@Injectable()
export class CompleteMessageGroupHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly groups: MessageGroupRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: CompleteMessageGroupCommand): Promise<MessageGroupView | null> {
    assertUuid(command.tenantId, 'tenantId');
    assertUuid(command.sessionId, 'sessionId');
    const groupId = command.groupId ?? globalThis.crypto.randomUUID();
    assertUuid(groupId, 'groupId');
    const messageIds = uniqueIds(command.messageIds);
    const now = this.clock.now();

    return this.unitOfWork.run(async () => {
      const existing = await this.groups.findById(command.tenantId, groupId);
      if (existing) return this.replay(existing, command.sessionId, groupId);

      const grouped = new Set(
        await this.groups.findGroupedMessageIds(command.tenantId, command.sessionId, messageIds, groupId),
      );
      const ungrouped = messageIds.filter((id) => !grouped.has(id));
      if (ungrouped.length === 0) return null;
      const found = new Map((await this.messages.findByIds(command.tenantId, ungrouped)).map((m) => [m.id, m]));
      const messages = ungrouped.map((id) => {
        const message = found.get(id);
        if (!message) throw new MessageNotFoundError(id);
        return message;
      });
      const group = MessageGroup.complete(
        {
          id: groupId,
          tenantId: command.tenantId,
          sessionId: command.sessionId,
          channelId: command.channelId,
          messages,
          completedAt: command.at,
        },
        now,
      );
      if (await this.groups.insertIfAbsent(group)) {
        await this.eventOutbox.append(group.pullEvents());
        return toMessageGroupView(group);
      }
      // A concurrent call with the same id stored it first (or the id belongs to another tenant).
      const winner = await this.groups.findById(command.tenantId, groupId);
      if (!winner) throw new MessageGroupConflictError(groupId);
      return this.replay(winner, command.sessionId, groupId);
    });
  }

  private replay(group: MessageGroup, sessionId: string, groupId: string): MessageGroupView {
    if (group.sessionId !== sessionId) throw new MessageGroupConflictError(groupId);
    return toMessageGroupView(group);
  }
}

function uniqueIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.length === 0)
    throw new ValidationError('messageIds', 'must be a non-empty list of message ids');
  if (ids.length > MESSAGE_GROUP_MAX_SIZE * 2)
    throw new ValidationError('messageIds', `must hold at most ${MESSAGE_GROUP_MAX_SIZE} ids`);
  const unique = [...new Set(ids)];
  for (const id of unique) if (!isUuid(id)) throw new ValidationError('messageIds', 'must contain only UUIDs');
  return unique as string[];
}
