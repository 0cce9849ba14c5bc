import { Counter } from 'prom-client';
import { type ChatTotals } from './history-import.store.port';

// Default registry, module scope (one registration per process). rate() of the counter is the
// import's messages per second.
const messages = new Counter({
  name: 'crm_history_import_messages_total',
  help: 'Messages read by history imports, by outcome (imported: stored; duplicate: already stored; skipped: not a conversation message)',
  labelNames: ['outcome'] as const,
});

/** The history imports' Prometheus metrics (one set per process). */
export const HistoryImportMetrics = {
  /** One stored page: the difference between the chat's totals after and before it. */
  pageStored(before: ChatTotals, after: ChatTotals): void {
    for (const outcome of ['imported', 'duplicate', 'skipped'] as const) {
      const n = after[outcome] - before[outcome];
      if (n > 0) messages.inc({ outcome }, n);
    }
  },
};
