import { Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { SessionNotFoundError } from '../../domain/session.errors';
import { SessionRepository } from '../../domain/session.repository.port';
import { type SessionView, toSessionView } from '../session.view';
import { type GetSessionQuery } from './get-session.query';

/** A session of the tenant; SessionNotFoundError when it does not exist or belongs elsewhere. */
@Injectable()
export class GetSessionHandler {
  constructor(private readonly sessions: SessionRepository) {}

  async execute(query: GetSessionQuery): Promise<SessionView> {
    assertUuid(query.sessionId, 'sessionId');
    const session = query.forUpdate
      ? await this.sessions.findByIdForUpdate(query.tenantId, query.sessionId)
      : await this.sessions.findById(query.tenantId, query.sessionId);
    if (!session) throw new SessionNotFoundError(query.sessionId);
    return toSessionView(session);
  }
}
