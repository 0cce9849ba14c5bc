import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork } from '@app/shared';
import { HeldMessageEventRepository } from '../../domain/held-message-event.repository.port';
import { PENDING_ACK_RETENTION_MS } from '../purge-stale-pending-acks/purge-stale-pending-acks.handler';

/** Revokes and reactions are held for messages that have not arrived yet, as acks are; one whose
 *  message never came (an ignored chat or group, a lost event) is dropped after the same week. */
export const HELD_MESSAGE_EVENT_RETENTION_MS = PENDING_ACK_RETENTION_MS;

export interface PurgeStaleHeldMessageEventsCommand {
  /** Rows deleted per transaction. */
  batchSize: number;
  retentionMs?: number;
}

@Injectable()
export class PurgeStaleHeldMessageEventsHandler {
  constructor(
    private readonly held: HeldMessageEventRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute(command: PurgeStaleHeldMessageEventsCommand): Promise<{ deleted: number }> {
    const before = new Date(this.clock.now().getTime() - (command.retentionMs ?? HELD_MESSAGE_EVENT_RETENTION_MS));
    let deleted = 0;
    for (;;) {
      const n = await this.unitOfWork.run(() => this.held.deleteHeldBefore(before, command.batchSize));
      deleted += n;
      if (n < command.batchSize) return { deleted };
    }
  }
}
