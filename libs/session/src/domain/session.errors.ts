import { ConflictError, NotFoundError } from '@app/shared';

/** No session with this id in the tenant (other tenants' sessions look the same). Code `SESSION.NOT_FOUND`. */
export class SessionNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('session', id);
  }
}

/** The session changed since it was read: optimistic concurrency check failed. */
export class SessionVersionConflictError extends ConflictError {
  constructor(id: string, expectedVersion: number) {
    super(
      'SESSION.VERSION_CONFLICT',
      `version: session ${id} was modified concurrently (expected version ${expectedVersion})`,
      'version',
    );
  }
}

/** The active session of a contact on a channel kept changing under a find-or-open (opened and
 *  ended again by concurrent work); the caller may retry. */
export class SessionContendedError extends ConflictError {
  constructor(contactId: string, channelId: string) {
    super(
      'SESSION.CONTENDED',
      `contactId: the active session of contact ${contactId} on channel ${channelId} changed concurrently; retry`,
      'contactId',
    );
  }
}
