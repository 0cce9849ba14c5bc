import { type ExpiredSessionPosition } from '../../domain/session.repository.port';

export interface FindExpiredSessionsQuery {
  /** Sessions whose deadline (last activity + timeout) is before this instant. Pass `now` minus a
   *  grace period to leave sessions to their lifecycle workflows a little longer. */
  now: Date;
  /** 1 to 1000; defaults to 100. */
  limit?: number;
  /** The last session of the previous page: the sweep goes on past it (keyset over deadline, id). */
  after?: ExpiredSessionPosition;
}
