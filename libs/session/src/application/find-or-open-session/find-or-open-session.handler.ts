import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { Session } from '../../domain/session.aggregate';
import { SessionContendedError } from '../../domain/session.errors';
import { SessionRepository } from '../../domain/session.repository.port';
import { emptySessionMessageStats } from '../../domain/session-summary.value-object';
import { assertValidDate } from '../../domain/session-time';
import { assertSessionTimeouts } from '../../domain/session-timeout';
import { type SessionView, toSessionView } from '../session.view';
import { type FindOrOpenSessionCommand } from './find-or-open-session.command';
import { SessionMetrics } from '../session.metrics';

export interface FindOrOpenSessionResult {
  /** The active session the activity belongs to. */
  session: SessionView;
  /** True only for the one call that stored the session (and raised its `session.started`). */
  opened: boolean;
  /** The previous active session, when this call found it expired at `at` and ended it
   *  (reason `inactivity`, at its deadline); otherwise null. */
  endedExpired: SessionView | null;
}

/** Rounds before giving up when the active session keeps changing (opened and ended concurrently);
 *  one round is the normal case. */
const MAX_ROUNDS = 3;

/**
 * The contact's active session on the channel for activity at `at`:
 * - an active session that has not expired at `at` is returned, its last activity moved up to `at`;
 * - an active session whose deadline passed before `at` (nothing has ended it yet) is ended with
 *   reason `inactivity` at its deadline, with a summary from `statsProvider`, and a new one is opened;
 * - otherwise a new session is opened. An ended session is never reopened.
 * Safe under concurrency and retries: the insert is `ON CONFLICT DO NOTHING` against the one-active-
 * session unique index and writers of an existing session lock its row, so however many calls race,
 * one session and one `session.started` (and at most one `session.ended`) are written, and every
 * caller gets the same session back.
 */
@Injectable()
export class FindOrOpenSessionHandler {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: FindOrOpenSessionCommand): Promise<FindOrOpenSessionResult> {
    assertUuid(command.tenantId, 'tenantId');
    assertUuid(command.contactId, 'contactId');
    assertUuid(command.channelId, 'channelId');
    assertValidDate(command.at, 'at');
    assertSessionTimeouts(command.timeoutSeconds, command.warningLeadSeconds);
    let endedExpired: SessionView | null = null;
    for (let round = 1; round <= MAX_ROUNDS; round += 1) {
      const result = await this.unitOfWork.run(() => this.attempt(command));
      if (result.endedExpired) SessionMetrics.ended('inactivity');
      if (result.opened) SessionMetrics.opened();
      // A round that ended an expired session committed that; later rounds must still report it.
      endedExpired = result.endedExpired ?? endedExpired;
      if (result.session) return { session: result.session, opened: result.opened, endedExpired };
    }
    throw new SessionContendedError(command.contactId, command.channelId);
  }

  private async attempt(command: FindOrOpenSessionCommand): Promise<Round> {
    const { tenantId, contactId, channelId, at } = command;
    let endedExpired: SessionView | null = null;

    const found = await this.sessions.findActive(tenantId, contactId, channelId);
    if (found) {
      const outcome = await this.continueOrEnd(found, command);
      if (outcome.session) return { session: outcome.session, opened: false, endedExpired: null };
      endedExpired = outcome.ended;
    }

    const candidate = Session.open(
      {
        id: command.proposedSessionId,
        tenantId,
        contactId,
        channelId,
        startedAt: at,
        timeoutSeconds: command.timeoutSeconds,
        warningLeadSeconds: command.warningLeadSeconds,
      },
      this.clock.now(),
    );
    if (await this.sessions.insertIfAbsent(candidate)) {
      await this.eventOutbox.append(candidate.pullEvents());
      return { session: toSessionView(candidate), opened: true, endedExpired };
    }
    // A concurrent call opened one first. Its insert has committed (ours waited for it), and under
    // READ COMMITTED this new statement sees it.
    const winner = await this.sessions.findActive(tenantId, contactId, channelId);
    if (!winner) return { session: null, opened: false, endedExpired };
    const outcome = await this.continueOrEnd(winner, command);
    return { session: outcome.session, opened: false, endedExpired: outcome.ended ?? endedExpired };
  }

  /**
   * Continues an active session with activity at `at` (moving its last activity up), or ends it
   * when it expired before `at`. Returns the continued session, or null with the ended one (also
   * null when a concurrent call ended it first). Writes only under the row lock.
   */
  private async continueOrEnd(
    found: Session,
    command: FindOrOpenSessionCommand,
  ): Promise<{ session: SessionView | null; ended: SessionView | null }> {
    const { at } = command;
    if (!found.isExpiredAt(at) && at.getTime() <= found.lastActivityAt.getTime()) {
      return { session: toSessionView(found), ended: null };
    }
    const current = await this.sessions.findByIdForUpdate(found.tenantId, found.id);
    if (!current?.isActive) return { session: null, ended: null };
    if (!current.isExpiredAt(at)) {
      if (current.recordActivity(at)) await this.sessions.update(current);
      return { session: toSessionView(current), ended: null };
    }
    const stats = command.statsProvider ? await command.statsProvider(current.id) : emptySessionMessageStats();
    current.end('inactivity', current.deadline(), stats);
    await this.sessions.update(current);
    await this.eventOutbox.append(current.pullEvents());
    return { session: null, ended: toSessionView(current) };
  }
}

interface Round {
  /** Null when this round found no usable session; the next round tries again. */
  session: SessionView | null;
  opened: boolean;
  endedExpired: SessionView | null;
}
