import { ServiceError } from '@temporalio/client';

/** A dependency whose outage makes a request fail now but succeed later. */
export type UnavailableDependency = 'database' | 'temporal';

/** Socket errors of a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs that say "not now" (class 08, connection exceptions, is matched by prefix): serialization
 *  failure, deadlock, too many connections, admin/crash shutdown, cannot connect now. */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03']);
/** node-postgres errors that carry no code. */
// `Client was closed and is not queryable`: a query (a ROLLBACK, say) on a client whose connection died.
const LOST_CONNECTION =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|is not queryable/i;
/** gRPC codes of a Temporal server that cannot be reached or cannot take the call now. */
const GRPC_UNAVAILABLE = new Set([14 /* UNAVAILABLE */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */]);

/**
 * Which dependency an error says is down or overloaded, if any: the database (refused, lost or
 * timed-out connections, SQLSTATE class 08, 40001, 40P01, 53300, 57P01-57P03; TypeORM wraps them
 * as `driverError`) or Temporal (a client ServiceError whose gRPC cause is UNAVAILABLE,
 * DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED). Null for everything else, bugs included.
 */
export function unavailableDependency(err: unknown): UnavailableDependency | null {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && typeof e === 'object' && !seen.has(e);) {
    seen.add(e);
    if (e instanceof ServiceError)
      return GRPC_UNAVAILABLE.has((e.cause as { code?: unknown } | undefined)?.code as number) ? 'temporal' : null;
    const { code, message, driverError, cause } = e as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
    )
      return 'database';
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return 'database';
    e = driverError ?? cause;
  }
  return null;
}
