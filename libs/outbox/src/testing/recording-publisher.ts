import { OutboxPublisher } from '../application/outbox-publisher';
import { OutboxEnvelope } from '../domain/outbox-event';

/** A publisher for tests: records what it receives and when, and fails on demand. */
export class RecordingPublisher implements OutboxPublisher {
  readonly received: { event: OutboxEnvelope; at: number }[] = [];
  private readonly failuresLeft = new Map<string, number>();
  private failAll = false;
  private readonly gates = new Map<string, { wait: Promise<boolean>; open: (fail: boolean) => void }>();

  constructor(readonly name = 'recording') {}

  /** The next `times` publishes of this event fail. */
  failNext(eventId: string, times: number): void {
    this.failuresLeft.set(eventId, times);
  }

  failEverything(on = true): void {
    this.failAll = on;
  }

  /** Publishes of this event wait until the returned function is called: `open()` lets them
   *  succeed, `open(true)` fails them (a slow endpoint that answers late). */
  gate(eventId: string): (fail?: boolean) => void {
    let open!: (fail: boolean) => void;
    const wait = new Promise<boolean>((resolve) => (open = resolve));
    this.gates.set(eventId, { wait, open });
    return (fail = false) => open(fail);
  }

  /** Opens every gate (successfully) and forgets them. */
  openGates(): void {
    for (const gate of this.gates.values()) gate.open(false);
    this.gates.clear();
  }

  async publish(event: OutboxEnvelope): Promise<void> {
    const gate = this.gates.get(event.id);
    if (gate && (await gate.wait)) throw new Error(`receiver answered ${event.type} late, with an error`);
    const left = this.failuresLeft.get(event.id) ?? 0;
    if (this.failAll || left > 0) {
      this.failuresLeft.set(event.id, left - 1);
      throw new Error(`receiver rejected ${event.type}`);
    }
    this.received.push({ event, at: Date.now() });
  }

  countOf(eventId: string): number {
    return this.received.filter((r) => r.event.id === eventId).length;
  }

  async waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`condition not met within ${timeoutMs} ms (received ${this.received.length})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
