import { Injectable } from '@nestjs/common';
import { EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { parseSessionEndReason } from '../../domain/session-end-reason';
import { SessionNotFoundError } from '../../domain/session.errors';
import { SessionRepository } from '../../domain/session.repository.port';
import { assertValidDate } from '../../domain/session-time';
import { emptySessionMessageStats } from '../../domain/session-summary.value-object';
import { type SessionView, toSessionView } from '../session.view';
import { type EndSessionCommand } from './end-session.command';

export interface EndSessionResult {
  session: SessionView;
  /** True only for the call that ended it (and raised `session.ended`). False when it had ended
   *  already, or (with `onlyIfIdle`) when it is still active because it has not reached its deadline;
   *  `session.status` tells the two apart. */
  ended: boolean;
}

/**
 * Ends an active session with its summary and raises `session.ended` carrying the reason and the
 * summary, in one unit of work. The row is locked while deciding, so concurrent activity and ends of
 * one session take turns. Idempotent: ending an ended session changes nothing and answers
 * `ended: false` with the session as it is (its first end reason and summary stay).
 */
@Injectable()
export class EndSessionHandler {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
  ) {}

  async execute(command: EndSessionCommand): Promise<EndSessionResult> {
    assertUuid(command.sessionId, 'sessionId');
    const reason = parseSessionEndReason(command.reason);
    assertValidDate(command.at, 'at');
    return this.unitOfWork.run(async () => {
      const session = await this.sessions.findByIdForUpdate(command.tenantId, command.sessionId);
      if (!session) throw new SessionNotFoundError(command.sessionId);
      if (command.onlyIfIdle && session.isActive && !session.reachedDeadlineAt(command.at)) {
        return { session: toSessionView(session), ended: false };
      }
      // An ended session ignores the stats (its first summary stays): only an active one needs them.
      const stats = command.stats ?? (session.isActive ? await command.statsProvider(session.id) : emptySessionMessageStats());
      const ended = session.end(reason, command.at, stats);
      if (ended) {
        await this.sessions.update(session);
        await this.eventOutbox.append(session.pullEvents());
      }
      return { session: toSessionView(session), ended };
    });
  }
}
