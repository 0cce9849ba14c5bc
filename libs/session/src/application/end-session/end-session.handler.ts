import { Injectable } from '@nestjs/common';
import { EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { parseSessionEndReason } from '../../domain/session-end-reason';
import { SessionNotFoundError } from '../../domain/session.errors';
import { SessionRepository } from '../../domain/session.repository.port';
import { assertValidDate } from '../../domain/session-time';
import { emptySessionMessageStats } from '../../domain/session-summary.value-object';
import { type SessionView, toSessionView } from '../session.view';
import { type EndSessionCommand } from './end-session.command';
import { SessionMetrics } from '../session.metrics';

export interface EndSessionResult {
  session: SessionView;
  /** True only for the call that ended it (and raised `session.ended`). False when it had ended
   *  already, or when it is still active: (with `onlyIfIdle`) it has not reached its deadline, or (a
   *  `saga_rollback`) it has messages; `session.status` tells these apart. */
  ended: boolean;
}

/**
 * Ends an active session with its summary and raises `session.ended` carrying the reason and the
 * summary, in one unit of work. The row is locked while deciding, so concurrent activity and ends of
 * one session take turns. Idempotent: ending an ended session changes nothing and answers
 * `ended: false` with the session as it is (its first end reason and summary stay). A `saga_rollback`
 * end leaves a session that has messages active (`ended: false`): other messages adopted it.
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
    const result = await this.unitOfWork.run(async (): Promise<EndSessionResult> => {
      const session = await this.sessions.findByIdForUpdate(command.tenantId, command.sessionId);
      if (!session) throw new SessionNotFoundError(command.sessionId);
      if (command.onlyIfIdle && session.isActive && !session.reachedDeadlineAt(command.at)) {
        return { session: toSessionView(session), ended: false };
      }
      // An ended session ignores the stats (its first summary stays): only an active one needs them.
      const stats =
        command.stats ?? (session.isActive ? await command.statsProvider(session.id) : emptySessionMessageStats());
      // A rollback undoes a session only its failed saga used; messages (counted under the lock, so
      // a message being stored for it is either counted or finds the session ended) keep it active.
      if (reason === 'saga_rollback' && session.isActive && stats.inbound + stats.outbound > 0) {
        return { session: toSessionView(session), ended: false };
      }
      const ended = session.end(reason, command.at, stats);
      if (ended) {
        await this.sessions.update(session);
        await this.eventOutbox.append(session.pullEvents());
      }
      return { session: toSessionView(session), ended };
    });
    if (result.ended) SessionMetrics.ended(reason);
    return result;
  }
}
