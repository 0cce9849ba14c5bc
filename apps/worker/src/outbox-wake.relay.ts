import { Logger } from '@nestjs/common';
import { OutboxNotificationListener } from '@app/outbox';
import { Counter } from 'prom-client';

const wakesRun = new Counter({
  name: 'crm_outbox_notify_drains_total',
  help: 'in-process outbox drains run after NOTIFY (each claims and publishes until a batch comes back short)',
});
const notificationsReceived = new Counter({
  name: 'crm_outbox_notifications_total',
  help: 'outbox NOTIFYs received by the worker',
});

/**
 * Turns outbox NOTIFYs into wakes (the worker drains the pending events in-process), throttled to one
 * per `minIntervalMs`: a NOTIFY after a quiet spell wakes at once; NOTIFYs that follow within the
 * interval (or while a wake is running) become ONE trailing wake at the interval's end. Each wake
 * drains everything pending, so more wakes would only repeat empty claims.
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
    /** One wake; must give up within a bounded time. */
    private readonly wake: () => Promise<void>,
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
        await this.wake();
        wakesRun.inc();
      } catch (err) {
        // The processor's sweep still runs on its poll interval; a failed wake only costs latency.
        this.logger.warn({ err: (err as Error).message }, 'outbox wake failed');
      }
    } while (this.again);
  }
}
