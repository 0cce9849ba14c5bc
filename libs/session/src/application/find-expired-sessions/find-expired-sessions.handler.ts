import { Injectable } from '@nestjs/common';
import { ValidationError, assertUuid } from '@app/shared';
import { type ExpiredSessionRef, SessionRepository } from '../../domain/session.repository.port';
import { assertValidDate } from '../../domain/session-time';
import { type FindExpiredSessionsQuery } from './find-expired-sessions.query';

export const EXPIRED_SESSIONS_DEFAULT_LIMIT = 100;
export const EXPIRED_SESSIONS_MAX_LIMIT = 1_000;

/** Active sessions of every tenant whose deadline passed, longest overdue first, a page at a time: the
 *  work list of the cleanup workflow (which ends each with EndSession, reason `cleanup` or `inactivity`). */
@Injectable()
export class FindExpiredSessionsHandler {
  constructor(private readonly sessions: SessionRepository) {}

  async execute(query: FindExpiredSessionsQuery): Promise<ExpiredSessionRef[]> {
    assertValidDate(query.now, 'now');
    const limit = query.limit ?? EXPIRED_SESSIONS_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > EXPIRED_SESSIONS_MAX_LIMIT) {
      throw new ValidationError('limit', `must be an integer from 1 to ${EXPIRED_SESSIONS_MAX_LIMIT}`);
    }
    if (query.after) {
      assertUuid(query.after.sessionId, 'after.sessionId');
      if (Number.isNaN(Date.parse(query.after.deadline)))
        throw new ValidationError('after.deadline', 'must be an ISO-8601 timestamp');
    }
    return this.sessions.findExpiredActive({ now: query.now, limit, after: query.after });
  }
}
