import { Injectable } from '@nestjs/common';
import { UnitOfWork, assertUuid } from '@app/shared';
import { SessionNotFoundError } from '../../domain/session.errors';
import { SessionRepository } from '../../domain/session.repository.port';
import { type SessionView, toSessionView } from '../session.view';
import { type SetSessionFirstTouchCommand } from './set-session-first-touch.command';

export interface SetSessionFirstTouchResult {
  session: SessionView;
  /** True when this call stored the first touch; false when the session already had one (kept as is). */
  set: boolean;
}

/** Stores a session's ad first-touch data once: the first touch wins, later calls change nothing. */
@Injectable()
export class SetSessionFirstTouchHandler {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute(command: SetSessionFirstTouchCommand): Promise<SetSessionFirstTouchResult> {
    assertUuid(command.sessionId, 'sessionId');
    return this.unitOfWork.run(async () => {
      const session = await this.sessions.findByIdForUpdate(command.tenantId, command.sessionId);
      if (!session) throw new SessionNotFoundError(command.sessionId);
      const set = session.setFirstTouch(command.firstTouch);
      if (set) await this.sessions.update(session);
      return { session: toSessionView(session), set };
    });
  }
}
