import { Injectable, Logger } from '@nestjs/common';
import { OutboxEnvelope } from '../domain/outbox-event';

/** Something that takes published events onward (webhook fan-out, a broker, ...). It must be
 *  idempotent per event id: an event can be handed over more than once (at-least-once). */
export interface OutboxPublisher {
  readonly name: string;
  publish(event: OutboxEnvelope): Promise<void>;
}

/** The in-process list of publishers every event is handed to. */
@Injectable()
export class OutboxPublisherRegistry {
  private readonly logger = new Logger(OutboxPublisherRegistry.name);
  private readonly publishers = new Map<string, OutboxPublisher>();

  register(publisher: OutboxPublisher): void {
    if (this.publishers.has(publisher.name))
      throw new Error(`outbox publisher ${publisher.name} is already registered`);
    this.publishers.set(publisher.name, publisher);
  }

  /** Hands the event to every publisher; fails if any of them fails, naming which. */
  async publish(event: OutboxEnvelope): Promise<void> {
    const publishers = [...this.publishers.values()];
    const results = await Promise.allSettled(publishers.map((p) => p.publish(event)));
    const failures = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${publishers[i]!.name}: ${errorMessage(r.reason)}`] : [],
    );
    if (failures.length > 0) {
      this.logger.warn({ eventId: event.id, type: event.type, failures }, 'outbox publish failed');
      throw new Error(failures.join('; '));
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
