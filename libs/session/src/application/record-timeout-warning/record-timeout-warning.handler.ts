import { Injectable } from '@nestjs/common';
import { EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { SessionNotFoundError } from '../../domain/session.errors';
import { SessionRepository } from '../../domain/session.repository.port';
import { assertValidDate } from '../../domain/session-time';
import { type SessionView, toSessionView } from '../session.view';
import { type RecordTimeoutWarningCommand } from './record-timeout-warning.command';

export interface RecordTimeoutWarningResult {
  session: SessionView;
  /** True when `session.timeout_warning` was written; false for an ended or already expired session. */
  warned: boolean;
}

/**
 * Raises `session.timeout_warning` for an active session that has not expired at `at`. The row is
 * locked while deciding, so a warning is never written after a concurrent end has committed. How
 * often to warn (once per idle period) is the lifecycle workflow's decision.
 */
@Injectable()
export class RecordTimeoutWarningHandler {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
  ) {}

  async execute(command: RecordTimeoutWarningCommand): Promise<RecordTimeoutWarningResult> {
    assertUuid(command.sessionId, 'sessionId');
    assertValidDate(command.at, 'at');
    return this.unitOfWork.run(async () => {
      const session = await this.sessions.findByIdForUpdate(command.tenantId, command.sessionId);
      if (!session) throw new SessionNotFoundError(command.sessionId);
      const warned = session.recordTimeoutWarning(command.at);
      if (warned) await this.eventOutbox.append(session.pullEvents());
      return { session: toSessionView(session), warned };
    });
  }
}
