import { createWahaSimulator } from '../simulator';
import { Scheduler } from '../state/scheduler';
import { SimClient } from '../testing/sim-client';

describe('WAHA simulator: injected latency (real HTTP on 127.0.0.1)', () => {
  it('ends a simulated hang when the simulator closes, leaving no timer behind', async () => {
    const sim = await createWahaSimulator({ port: 0, logLevel: 'silent' });
    const api = new SimClient(sim.url);
    const scheduler = sim.app.get(Scheduler);
    await api.post('/_sim/faults', { latencyMs: 600_000, onlyPaths: ['/api/sendText'] });
    const hung = api.post('/api/sendText', { session: 'default', chatId: '5521900000001@c.us', text: 'hi' }).then(
      (res) => `answered ${res.status}`,
      () => 'connection closed',
    );
    const deadline = Date.now() + 10_000;
    while (scheduler.pending === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(scheduler.pending).toBe(1);

    await sim.close();
    // A plain setTimeout here kept the fault suite's jest process alive for ten minutes after its run.
    expect(scheduler.pending).toBe(0);
    expect(await hung).toBe('connection closed');
  });
});
