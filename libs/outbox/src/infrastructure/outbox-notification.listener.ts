import { Logger } from '@nestjs/common';
import { Client } from 'pg';

export const OUTBOX_NOTIFY_CHANNEL = 'outbox_events';

/** LISTENs on the outbox channel on a dedicated connection and calls `onNotify` for each
 *  notification. Reconnects with backoff; callers keep a polling sweep because notifications sent
 *  while disconnected are lost. */
export class OutboxNotificationListener {
  private readonly logger = new Logger(OutboxNotificationListener.name);
  private client: Client | null = null;
  private stopped = false;
  private reconnectDelayMs = 500;

  constructor(
    private readonly databaseUrl: string,
    private readonly onNotify: () => void,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, keepAlive: true });
    client.on('notification', (msg) => {
      if (msg.channel === OUTBOX_NOTIFY_CHANNEL) this.onNotify();
    });
    client.on('error', (err) => {
      this.logger.warn({ err: err.message }, 'outbox listener connection error; reconnecting');
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
    this.client = client;
    this.reconnectDelayMs = 500;
    // Anything committed while we were away is picked up by a wake right after (re)connecting.
    this.onNotify();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.client = null;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, 30_000);
    setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch((err: Error) => {
        this.logger.warn({ err: err.message }, 'outbox listener reconnect failed');
        this.scheduleReconnect();
      });
    }, delay).unref();
  }
}
