import { type KeysetPosition, type Positioned } from '@app/shared';
import { type Session } from './session.aggregate';
import { type SessionStatus } from './session-status';

export interface SessionListCriteria {
  /** Maximum number of sessions returned. */
  limit: number;
  /** Return only sessions after this position in the (createdAt DESC, id DESC) order. */
  after?: KeysetPosition;
  contactId?: string;
  channelId?: string;
  status?: SessionStatus;
}

/** An active session whose deadline has passed. */
export interface ExpiredSessionRef {
  tenantId: string;
  sessionId: string;
  /** Last activity + timeout, as ISO-8601 text to the microsecond (what `after` pages on). */
  deadline: string;
}

/** A place in the (deadline, id) order of the overdue sessions. */
export interface ExpiredSessionPosition {
  /** ExpiredSessionRef.deadline, exactly as read. */
  deadline: string;
  sessionId: string;
}

export interface ExpiredSessionCriteria {
  /** Sessions whose deadline (last activity + timeout) is before this instant. */
  now: Date;
  limit: number;
  /** Only sessions after this one in the (deadline, id) order: the next page of one sweep. */
  after?: ExpiredSessionPosition;
}

/**
 * Persistence of Session aggregates. Every method but findExpiredActive is scoped to a tenant, and
 * every method joins the current unit of work when called inside one.
 */
export abstract class SessionRepository {
  /** Stores a new session unless the contact already has an active session on the channel (decided
   *  by the database's partial unique index, so it is race-free). Returns whether this call stored it. */
  abstract insertIfAbsent(session: Session): Promise<boolean>;

  /** The active session of the contact on the channel, or null. */
  abstract findActive(tenantId: string, contactId: string, channelId: string): Promise<Session | null>;

  /** The session with this id in the tenant, or null. */
  abstract findById(tenantId: string, id: string): Promise<Session | null>;

  /** Like findById, and locks the row until the current unit of work ends, so concurrent writers of
   *  one session take turns. Must run inside a unit of work. */
  abstract findByIdForUpdate(tenantId: string, id: string): Promise<Session | null>;

  /** Stores the changes of a session if the stored row still has the version it was read with.
   *  Throws SessionVersionConflictError when it changed meanwhile, SessionNotFoundError when it is gone. */
  abstract update(session: Session): Promise<void>;

  /** Sessions of the tenant, newest first: ordered by (createdAt DESC, id DESC). */
  abstract list(tenantId: string, criteria: SessionListCriteria): Promise<Positioned<Session>[]>;

  /** Gives the channel's active sessions this timeout and warning lead (bumping their version);
   *  answers the ids of those that changed. */
  abstract applyTimeoutPolicy(
    tenantId: string,
    channelId: string,
    policy: { timeoutSeconds: number; warningLeadSeconds: number | null },
  ): Promise<string[]>;

  /** Active sessions of every tenant whose deadline is before `now`, longest overdue first. */
  abstract findExpiredActive(criteria: ExpiredSessionCriteria): Promise<ExpiredSessionRef[]>;
}
