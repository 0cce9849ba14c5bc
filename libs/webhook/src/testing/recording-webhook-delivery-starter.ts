import { Global, Injectable, Module } from '@nestjs/common';
import {
  type WebhookDeliveryStart,
  WebhookDeliveryStarter,
  type WebhookDeliveryStartOptions,
} from '../application/webhook-delivery-starter.port';

export interface RecordedWebhookStart {
  input: WebhookDeliveryStart;
  options: WebhookDeliveryStartOptions;
}

/** WebhookDeliveryStarter for tests: records every start; `failNext()` makes the next start throw. */
@Injectable()
export class RecordingWebhookDeliveryStarter extends WebhookDeliveryStarter {
  readonly starts: RecordedWebhookStart[] = [];
  /** Called (and awaited) on every successful start, before it returns: e.g. to run the delivery at
   *  once, as a fast worker would, while the caller's transaction is still open. */
  onStart: ((input: WebhookDeliveryStart) => void | Promise<void>) | null = null;
  private failures = 0;

  async start(input: WebhookDeliveryStart, options: WebhookDeliveryStartOptions): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('delivery starter unavailable (test)');
    }
    this.starts.push({ input: { ...input }, options: { ...options } });
    await this.onStart?.({ ...input });
  }

  failNext(times = 1): void {
    this.failures += times;
  }

  clear(): void {
    this.starts.length = 0;
    this.onStart = null;
    this.failures = 0;
  }
}

/** Binds the WebhookDeliveryStarter port to one RecordingWebhookDeliveryStarter, globally. */
@Global()
@Module({
  providers: [
    RecordingWebhookDeliveryStarter,
    { provide: WebhookDeliveryStarter, useExisting: RecordingWebhookDeliveryStarter },
  ],
  exports: [RecordingWebhookDeliveryStarter, WebhookDeliveryStarter],
})
export class RecordingWebhookDeliveryStarterModule {}
