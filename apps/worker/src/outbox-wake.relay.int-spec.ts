import { Client } from 'pg';
import { createTestDatabase } from '../../../test/support/database';
import { eventually } from '../../../test/support/nest';
import { OutboxWakeRelay } from './outbox-wake.relay';

describe('OutboxWakeRelay (real PostgreSQL NOTIFY)', () => {
  it('signals at once after a quiet spell, then coalesces a burst into few signals, always ending with one', async () => {
    const url = await createTestDatabase();
    const signals: number[] = [];
    const relay = new OutboxWakeRelay(
      url,
      async () => {
        signals.push(Date.now());
        await new Promise((r) => setTimeout(r, 5));
      },
      100,
    );
    await relay.start();
    const notifier = new Client({ connectionString: url });
    await notifier.connect();
    try {
      // start() itself wakes once (events committed while the listener was away).
      await eventually(async () => (signals.length === 1 ? true : undefined));
      await new Promise((r) => setTimeout(r, 150));

      // After a quiet spell longer than the interval, a NOTIFY is relayed at once.
      const quietAt = Date.now();
      await notifier.query(`NOTIFY outbox_events`);
      await eventually(async () => (signals.length === 2 ? true : undefined));
      expect(signals[1]! - quietAt).toBeLessThan(100);

      for (let i = 0; i < 50; i += 1) {
        await notifier.query(`NOTIFY outbox_events, '${i}'`);
        await new Promise((r) => setTimeout(r, 4));
      }
      const lastNotifyAt = Date.now();
      await eventually(async () => (signals[signals.length - 1]! >= lastNotifyAt - 5 ? true : undefined));
      const burstSignals = signals.length - 2;
      expect(burstSignals).toBeGreaterThanOrEqual(1);
      expect(burstSignals).toBeLessThan(10);
      for (let i = 1; i < signals.length; i += 1) expect(signals[i]! - signals[i - 1]!).toBeGreaterThanOrEqual(95);
    } finally {
      await notifier.end();
      await relay.stop();
    }
  });
});
