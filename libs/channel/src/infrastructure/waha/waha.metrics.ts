import { Counter, Gauge, Histogram } from 'prom-client';
import { type WahaCircuitState } from '../../application/waha/waha-circuit-state.port';

/** The WahaClient methods, as metric labels: a fixed set, free of tenants, channels and phones. */
export type WahaOperation = 'sendText' | 'findMessage' | 'getSession' | 'listChats' | 'listChatMessages';

/** How one call ended: `ok` at the first attempt, `retried` after one or more retries, or failed
 *  (`circuit_open`: failed fast, WAHA was not asked). */
export type WahaCallOutcome = 'ok' | 'retried' | 'transient_error' | 'permanent_error' | 'circuit_open';

// In the default registry, which /metrics of the api and the worker's health port serve. Created
// once per process (module scope): a second registration of the same name would throw.
const calls = new Counter({
  name: 'crm_waha_calls_total',
  help: 'WAHA client calls by operation and outcome (ok, retried, transient_error, permanent_error, circuit_open); retries inside a call are not extra calls',
  labelNames: ['operation', 'outcome'] as const,
});
const retries = new Counter({
  name: 'crm_waha_call_retries_total',
  help: 'Retried attempts of WAHA reads (5xx, 429, timeouts, network errors), by operation',
  labelNames: ['operation'] as const,
});
const duration = new Histogram({
  name: 'crm_waha_call_duration_seconds',
  help: 'Duration of WAHA client calls, retries, backoff and rate-limit waits included, by operation',
  labelNames: ['operation'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30],
});
const openChannels = new Gauge({
  name: 'crm_waha_circuit_open_channels',
  help: 'Channels whose WAHA circuit breaker is open in this process (half-open ones are not counted)',
});
const transitions = new Counter({
  name: 'crm_waha_circuit_transitions_total',
  help: 'WAHA circuit breaker transitions in this process, by the state entered (closed, open, half_open)',
  labelNames: ['to'] as const,
});

/** The WAHA client's Prometheus metrics (one set per process). */
export const WahaMetrics = {
  callEnded(operation: WahaOperation, outcome: WahaCallOutcome, seconds: number): void {
    calls.inc({ operation, outcome });
    duration.observe({ operation }, seconds);
  },
  retried(operation: WahaOperation): void {
    retries.inc({ operation });
  },
  circuitChanged(from: WahaCircuitState, to: WahaCircuitState): void {
    transitions.inc({ to });
    if (to === 'open' && from !== 'open') openChannels.inc();
    if (from === 'open' && to !== 'open') openChannels.dec();
  },
};
