import { FaultSystem } from './support/fault-system';
import { comparable, runLoadCase } from './support/load-case';
import { sleep } from './support/managed-process';
import { faultProfile } from './support/profile';

/**
 * The worker process is SIGKILLed `workerKillEveryMs` after each start, `workerKills` times, while
 * the inbound load runs (saga mode: every step is the worker's), then started for good. Activities
 * it was running time out and are retried by the next worker; nothing is lost, nothing doubled.
 */
const profile = faultProfile();

describe(`worker killed (SIGKILL) repeatedly during inbound load (${profile.name})`, () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start();
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  it('saga mode: nothing answered 2xx is lost or doubled', async () => {
    const channel = await system.createChannel('saga');
    const killRepeatedly = async () => {
      for (let kill = 0; kill < profile.workerKills; kill++) {
        await sleep(profile.workerKillEveryMs);
        await system.worker.kill();
        await system.worker.start();
      }
    };
    const result = await runLoadCase({
      title: 'Worker killed',
      system,
      channel,
      phonePrefix: '551192',
      profile,
      fault: killRepeatedly,
      faultAt: 'start',
    });
    console.log(`worker started ${system.worker.starts} times`);
    const { actual, expected } = comparable(result);
    expect(actual).toEqual(expected);
  });
});
