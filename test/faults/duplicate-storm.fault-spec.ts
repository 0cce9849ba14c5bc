import { FaultSystem } from './support/fault-system';
import { comparable, runLoadCase } from './support/load-case';
import { faultProfile } from './support/profile';
import { sendStorm } from './support/storm';
import { WahaLoad } from './support/waha-load';

/**
 * The duplicate storm: `stormMessages` distinct messages, each delivered three times at once, as
 * `message` and `message.any`, with WAHA's prefixed id (`false_<chat>@c.us_<id>`) and the bare id of
 * older GOWS builds (`<id>`, sender `@s.whatsapp.net`). One message is one row and one
 * message.created event whatever spelling and event carried it.
 */
const profile = faultProfile();

describe(`duplicate storm (${profile.name})`, () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start();
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  it.each([
    ['saga', '551195'],
    ['direct', '551196'],
  ] as const)(
    `%s mode: ${profile.stormMessages} messages posted 3 times each leave ${profile.stormMessages} rows and message.created events`,
    async (mode, phonePrefix) => {
      const channel = await system.createChannel(mode);
      const messages = WahaLoad.plan(profile.stormMessages, Math.ceil(profile.stormMessages / 5), phonePrefix);
      const result = await runLoadCase({
        title: 'Duplicate storm',
        system,
        channel,
        phonePrefix,
        profile,
        messages,
        send: sendStorm,
        fault: async () => undefined,
      });
      const { actual, expected } = comparable(result);
      expect({ ...actual, 'distinct messages stored': result.figures['distinct messages stored'] }).toEqual({
        ...expected,
        'distinct messages stored': profile.stormMessages,
      });
    },
  );
});
