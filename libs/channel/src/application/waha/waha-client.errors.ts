/** Why a WAHA call failed. */
export type WahaFailureCode =
  | 'WAHA.BAD_REQUEST'
  | 'WAHA.UNAUTHORIZED'
  | 'WAHA.FORBIDDEN'
  | 'WAHA.NOT_FOUND'
  | 'WAHA.REJECTED'
  | 'WAHA.INVALID_RESPONSE'
  | 'WAHA.SESSION_NOT_READY'
  | 'WAHA.RATE_LIMITED'
  | 'WAHA.SERVER_ERROR'
  | 'WAHA.TIMEOUT'
  | 'WAHA.UNREACHABLE'
  /** The base URL's host is (or resolves to) an address WAHA_ALLOWED_CIDRS does not allow. */
  | 'WAHA.ADDRESS_REFUSED'
  /** The channel's circuit breaker is open after consecutive failures: the call failed fast, WAHA was
   *  not asked. `retryAfterMs` says when the breaker lets a test call through. */
  | 'WAHA.CIRCUIT_OPEN'
  /** This process's rate limiter for the channel already holds as many calls as it lets wait
   *  (WAHA_RATE_LIMIT_MAX_WAIT_MS at WAHA_RATE_LIMIT_PER_SECOND): WAHA was not asked. */
  | 'WAHA.QUEUE_FULL';

export interface WahaFailureDetails {
  code: WahaFailureCode;
  /** `POST /api/sendText`: method and path, never the host's credentials. */
  operation: string;
  /** HTTP status of WAHA's answer; null when none came (network error, timeout). */
  status: number | null;
  /** Start of WAHA's answer body, for diagnosis. */
  responseBody?: string;
  /** The wait WAHA asked for with `Retry-After` (429), or until an open circuit lets a call through
   *  again, in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A failed WAHA call. `code` doubles as the failure type an activity reports to Temporal. */
export abstract class WahaError extends Error {
  /** Whether trying the same call again later can succeed. */
  abstract readonly retryable: boolean;
  readonly code: WahaFailureCode;
  readonly operation: string;
  readonly status: number | null;
  readonly responseBody: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: WahaFailureDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
    this.operation = details.operation;
    this.status = details.status;
    this.responseBody = details.responseBody;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Retrying will not help: the request is wrong (400), the API key is missing or wrong (401/403),
 *  the session does not exist (404), or WAHA's answer is unusable. Fix the channel or the input. */
export class WahaPermanentError extends WahaError {
  readonly retryable = false;
}

/** Worth retrying later: the session is not ready (422), WAHA is rate limiting (429) or failing
 *  (5xx), it could not be reached in time, or the channel's circuit breaker or rate limiter held the
 *  call back (CIRCUIT_OPEN, QUEUE_FULL). */
export class WahaTransientError extends WahaError {
  readonly retryable = true;
}
