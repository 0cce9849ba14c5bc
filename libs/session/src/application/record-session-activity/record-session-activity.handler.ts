import { Injectable } from '@nestjs/common';
import { UnitOfWork, assertUuid } from '@app/shared';
import { SessionNotFoundError } from '../../domain/session.errors';
import { SessionRepository } from '../../domain/session.repository.port';
import { assertValidDate } from '../../domain/session-time';
import { type SessionView, toSessionView } from '../session.view';
import { type RecordSessionActivityCommand } from './record-session-activity.command';

/**
 * Moves the session's last activity (and so its deadline) up to `at`. Idempotent and order-
 * insensitive: activity at or before the current last activity changes nothing. Never touches an
 * ended session, nor an active one whose deadline passed before `at` (that activity belongs to a new
 * session); both are returned unchanged. Raises no event.
 */
@Injectable()
export class RecordSessionActivityHandler {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(command: RecordSessionActivityCommand): Promise<SessionView> {
    assertUuid(command.sessionId, 'sessionId');
    assertValidDate(command.at, 'at');
    const known = await this.sessions.findById(command.tenantId, command.sessionId);
    if (!known) throw new SessionNotFoundError(command.sessionId);
    // Most repeated or out-of-order activity needs no write, and so no lock.
    if (!known.isActive || command.at.getTime() <= known.lastActivityAt.getTime() || known.isExpiredAt(command.at)) {
      return toSessionView(known);
    }
    return this.unitOfWork.run(async () => {
      const session = await this.sessions.findByIdForUpdate(command.tenantId, command.sessionId);
      if (!session) throw new SessionNotFoundError(command.sessionId);
      if (session.recordActivity(command.at)) await this.sessions.update(session);
      return toSessionView(session);
    });
  }
}
