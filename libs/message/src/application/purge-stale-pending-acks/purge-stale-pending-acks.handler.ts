import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork } from '@app/shared';
import { PendingMessageAckRepository } from '../../domain/pending-message-ack.repository.port';

/** Acks are held for messages that have not arrived yet; one whose message never came (an ignored
 *  chat, a lost event) would stay forever. Older than this, it is dropped. */
export const PENDING_ACK_RETENTION_MS = 7 * 24 * 3_600_000;

export interface PurgeStalePendingAcksCommand {
  /** Rows deleted per transaction. */
  batchSize: number;
  retentionMs?: number;
}

@Injectable()
export class PurgeStalePendingAcksHandler {
  constructor(
    private readonly pending: PendingMessageAckRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute(command: PurgeStalePendingAcksCommand): Promise<{ deleted: number }> {
    const before = new Date(this.clock.now().getTime() - (command.retentionMs ?? PENDING_ACK_RETENTION_MS));
    let deleted = 0;
    for (;;) {
      const n = await this.unitOfWork.run(() => this.pending.deleteReceivedBefore(before, command.batchSize));
      deleted += n;
      if (n < command.batchSize) return { deleted };
    }
  }
}
