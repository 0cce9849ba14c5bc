/** A channel's WAHA circuit breaker: `closed` (calls go through), `open` (calls fail fast with
 *  WAHA.CIRCUIT_OPEN), `half_open` (one test call decides between the two). */
export type WahaCircuitState = 'closed' | 'open' | 'half_open';

export const WAHA_CIRCUIT_STATES: readonly WahaCircuitState[] = ['closed', 'open', 'half_open'];

/** A breaker changing state, as the worker that holds the breaker records it. */
export interface WahaCircuitTransition {
  channelId: string;
  state: WahaCircuitState;
  changedAt: Date;
  /** The failure that opened the breaker (or failed the test call); null keeps the one recorded. */
  lastFailure: string | null;
}

/** The last recorded breaker state of a channel, as the channel view shows it. */
export interface WahaCircuitStatus {
  state: WahaCircuitState;
  changedAt: Date | null;
  lastFailure: string | null;
}

/** A channel whose breaker no process has recorded: closed since ever. */
export const CLOSED_WAHA_CIRCUIT: WahaCircuitStatus = Object.freeze({
  state: 'closed',
  changedAt: null,
  lastFailure: null,
});

/**
 * Where breaker transitions are kept: the breakers live in the worker processes that call WAHA,
 * while `GET /v1/channels/{id}` is answered by the api process. With several workers the row shows
 * the latest transition any of them recorded.
 */
export abstract class WahaCircuitStateStore {
  /** Records a transition unless a later one is recorded already. */
  abstract record(transition: WahaCircuitTransition): Promise<void>;

  /** Marks the channel's breaker closed at `at` if its row says otherwise: a process that just
   *  started (its breakers closed) corrects what an earlier process left open. */
  abstract recordClosedIfNot(channelId: string, at: Date): Promise<void>;

  /** The recorded state of each of the tenant's channels that has a row; the others are closed. */
  abstract findByChannels(tenantId: string, channelIds: readonly string[]): Promise<Map<string, WahaCircuitStatus>>;
}
