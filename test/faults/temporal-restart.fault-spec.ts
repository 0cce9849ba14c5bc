import { FaultSystem } from './support/fault-system';
import { comparable, runLoadCase } from './support/load-case';
import { faultProfile } from './support/profile';

/**
 * The Temporal dev server is stopped in the middle of the inbound load and started again on the
 * same port and persistent database file (as a cluster restart). While it is down the api cannot
 * start sagas or signal lifecycles and WAHA retries; afterwards the system resumes and nothing
 * answered 2xx is lost or doubled, in saga and direct mode.
 */
const profile = faultProfile();
const DOWN_MS = profile.name === 'full' ? 10_000 : 3_000;

describe(`Temporal dev server restarted during inbound load (${profile.name})`, () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start();
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  it.each([
    ['saga', '551193'],
    ['direct', '551194'],
  ] as const)('%s mode: the system resumes, nothing answered 2xx is lost or doubled', async (mode, phonePrefix) => {
    const channel = await system.createChannel(mode);
    const restart = () => system.temporal.restart('SIGTERM', DOWN_MS);
    const result = await runLoadCase({
      title: 'Temporal restarted',
      system,
      channel,
      phonePrefix,
      profile,
      fault: restart,
    });
    const { actual, expected } = comparable(result);
    expect(actual).toEqual(expected);
  });
});
