import { Counter, Histogram } from 'prom-client';
import { type InboundMode } from '../domain/inbound-mode';

/** How one inbound message ended: stored (a new row), duplicate (its row existed: a redelivery or a
 *  retried step), compensated (the saga failed and undid its steps) or failed (direct mode's
 *  transaction failed; WAHA delivers it again). */
export type InboundMessageOutcome = 'stored' | 'duplicate' | 'compensated' | 'failed';
/** The saga's compensation steps, as the saga names them. */
export type SagaCompensationStep = 'deleteMessage' | 'closeSession' | 'deleteContact';

// In the default registry (served by /metrics of the api and of the worker's health port); module
// scope: one registration per process. Labels are fixed sets, never tenants, channels or phones.
const messages = new Counter({
  name: 'crm_inbound_messages_total',
  help: 'Inbound WhatsApp messages processed, by mode (direct, saga) and outcome (stored, duplicate, compensated, failed)',
  labelNames: ['mode', 'outcome'] as const,
});
const sagaDuration = new Histogram({
  name: 'crm_inbound_saga_duration_seconds',
  help: 'From the api accepting the webhook to the saga storing the message (outcome completed) or recording its compensation (outcome compensated)',
  labelNames: ['outcome'] as const,
  buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});
const compensations = new Counter({
  name: 'crm_inbound_saga_compensations_total',
  help: 'Saga compensation steps run for failed sagas, by step (deleteMessage, closeSession, deleteContact) and outcome (undone, kept: left to the other messages using the row)',
  labelNames: ['step', 'outcome'] as const,
});

/** The inbound path's Prometheus metrics (one set per process). */
export const InboundMetrics = {
  messageProcessed(mode: InboundMode, outcome: InboundMessageOutcome): void {
    messages.inc({ mode, outcome });
  },
  /** `acceptedAt`: when the api started the saga (absent for sagas started before it was recorded). */
  sagaFinished(outcome: 'completed' | 'compensated', acceptedAt: string | undefined, now = Date.now()): void {
    const started = acceptedAt === undefined ? NaN : Date.parse(acceptedAt);
    if (Number.isFinite(started)) sagaDuration.observe({ outcome }, Math.max(0, now - started) / 1000);
  },
  compensated(step: SagaCompensationStep, outcome: 'undone' | 'kept'): void {
    compensations.inc({ step, outcome });
  },
};
