import { Logger } from '@nestjs/common';
import { OutboxNotificationListener } from '@app/outbox';
import { Counter } from 'prom-client';

const wakeSignalsSent = new Counter({
  name: 'crm_outbox_wake_signals_total',
  help: 'wake signals sent to the outbox processor workflow after NOTIFY',
});
const notificationsReceived = new Counter({
  name: 'crm_outbox_notifications_total',
  help: 'outbox NOTIFYs received by the worker',
});

/**
 * Turns outbox NOTIFYs into `wake` signals to the processor workflow, throttled to one per
 * `minIntervalMs`: a NOTIFY after a quiet spell signals at once; NOTIFYs that follow within the
 * interval (or while a signal is in flight) become ONE trailing signal at the interval's end. The workflow drains everything pending per wake, so more
 * signals would only grow its history (each costs events and a workflow task) and slow it down.
 */
export class OutboxWakeRelay {
  private readonly logger = new Logger(OutboxWakeRelay.name);
  private readonly listener: OutboxNotificationListener;
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastSentAt = 0;

  constructor(
    databaseUrl: string,
    /** Sends one wake signal; must give up within a bounded time. */
    private readonly signal: () => Promise<void>,
    private readonly minIntervalMs: number,
  ) {
    this.listener = new OutboxNotificationListener(databaseUrl, () => this.onNotify());
  }

  start(): Promise<void> {
    this.stopped = false;
    return this.listener.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener.stop();
    await this.draining;
  }

  private onNotify(): void {
    notificationsReceived.inc();
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
  }

  private async drain(): Promise<void> {
    do {
      const wait = this.lastSentAt + this.minIntervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.again = false;
      if (this.stopped) return;
      this.lastSentAt = Date.now();
      try {
        await this.signal();
        wakeSignalsSent.inc();
      } catch (err) {
        // The sweep still runs on its poll interval; a lost wake only costs latency.
        this.logger.warn({ err: (err as Error).message }, 'could not signal the outbox processor');
      }
    } while (this.again);
  }
}
