import { Logger } from '@nestjs/common';
import { WorkflowHandle } from '@temporalio/client';
import { OutboxNotificationListener } from '@app/outbox';
import { wakeSignal } from '@app/workflows';
import { Counter } from 'prom-client';

const wakeSignalsSent = new Counter({
  name: 'crm_outbox_wake_signals_total',
  help: 'wake signals sent to the outbox processor workflow after NOTIFY',
});

/** Turns outbox NOTIFYs into `wake` signals to the processor workflow, coalesced: while one signal
 *  is in flight, any number of notifications become at most one more signal. */
export class OutboxWakeRelay {
  private readonly logger = new Logger(OutboxWakeRelay.name);
  private readonly listener: OutboxNotificationListener;
  private inFlight = false;
  private again = false;

  constructor(databaseUrl: string, private readonly processor: () => WorkflowHandle) {
    this.listener = new OutboxNotificationListener(databaseUrl, () => this.onNotify());
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }

  private onNotify(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.processor().signal(wakeSignal);
        wakeSignalsSent.inc();
      } catch (err) {
        // The sweep still runs on its poll interval; a lost wake only costs latency.
        this.logger.warn({ err: (err as Error).message }, 'could not signal the outbox processor');
      }
    } while (this.again);
    this.inFlight = false;
  }
}
