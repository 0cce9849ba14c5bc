import { FaultSystem } from './support/fault-system';
import { comparable, runLoadCase } from './support/load-case';
import { sleep } from './support/managed-process';
import { faultProfile } from './support/profile';

/**
 * PostgreSQL goes down (fast shutdown: every connection cut, new ones refused) in the middle of an
 * inbound load and comes back after `postgresOutageMs`, the same data on the same port. WAHA retries
 * what was not answered 2xx. Afterwards every message answered 2xx is stored exactly once with its
 * events, every session has its lifecycle workflow, and the outbox drains; in saga and direct mode.
 */
const profile = faultProfile();

describe(`PostgreSQL outage during inbound load (${profile.name})`, () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start();
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  const outage = async () => {
    await system.postgres.stop();
    await sleep(profile.postgresOutageMs);
    await system.postgres.start();
  };

  it.each([
    ['saga', '551190'],
    ['direct', '551191'],
  ] as const)('%s mode: nothing answered 2xx is lost or doubled', async (mode, phonePrefix) => {
    const channel = await system.createChannel(mode);
    const result = await runLoadCase({
      title: 'PostgreSQL outage',
      system,
      channel,
      phonePrefix,
      profile,
      fault: outage,
    });
    const { actual, expected } = comparable(result);
    expect(actual).toEqual(expected);
  });
});
