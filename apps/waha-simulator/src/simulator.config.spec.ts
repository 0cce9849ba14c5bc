import { DEFAULT_SETTINGS, parseEventList, resolveSettings, settingsFromEnv } from './simulator.config';

describe('simulator configuration', () => {
  it('has WAHA-like defaults', () => {
    const s = settingsFromEnv({});
    expect(s).toMatchObject({
      port: 3100,
      host: '127.0.0.1',
      baseUrl: null,
      apiKey: 'sim-api-key',
      session: 'default',
      mePhone: '5511999990000',
      ackDelayMs: 300,
      seed: { chats: 0, messagesPerChat: 0 },
      webhook: { url: null, hmacKey: null, events: ['*'], retries: 15, retryDelayMs: 2000 },
    });
  });

  it('reads and converts every variable', () => {
    const s = settingsFromEnv({
      WAHA_SIM_PORT: '0',
      WAHA_SIM_API_KEY: 'k',
      WAHA_SIM_SESSION: 'acme',
      WAHA_SIM_ME_PHONE: '5521988887777',
      WAHA_SIM_WEBHOOK_URL: 'http://crm-backend:8080/webhooks/waha',
      WAHA_SIM_WEBHOOK_HMAC_KEY: 'secret',
      WAHA_SIM_WEBHOOK_EVENTS: 'message, message.any',
      WAHA_SIM_WEBHOOK_RETRIES: '3',
      WAHA_SIM_WEBHOOK_RETRY_DELAY_MS: '10',
      WAHA_SIM_SEED_CHATS: '5',
      WAHA_SIM_SEED_MESSAGES: '7',
      WAHA_SIM_ACK_DELAY_MS: '0',
      WAHA_SIM_BASE_URL: '',
    });
    expect(s).toMatchObject({
      port: 0,
      apiKey: 'k',
      session: 'acme',
      mePhone: '5521988887777',
      baseUrl: null,
      ackDelayMs: 0,
      seed: { chats: 5, messagesPerChat: 7 },
      webhook: {
        url: 'http://crm-backend:8080/webhooks/waha',
        hmacKey: 'secret',
        events: ['message', 'message.any'],
        retries: 3,
        retryDelayMs: 10,
      },
    });
  });

  it('reads the seed profile, the PRNG seed and the recent chats', () => {
    expect(settingsFromEnv({})).toMatchObject({ seedProfile: 'basic', seedNumber: 1, seedRecentChats: 0 });
    expect(
      settingsFromEnv({
        WAHA_SIM_SEED_PROFILE: 'history',
        WAHA_SIM_SEED: '42',
        WAHA_SIM_SEED_RECENT_CHATS: '2',
        WAHA_SIM_SEED_CHATS: '20',
        WAHA_SIM_SEED_MESSAGES: '40',
      }),
    ).toMatchObject({
      seedProfile: 'history',
      seedNumber: 42,
      seedRecentChats: 2,
      seed: { chats: 20, messagesPerChat: 40 },
    });
    expect(() =>
      settingsFromEnv({ WAHA_SIM_SEED_PROFILE: 'huge', WAHA_SIM_SEED: 'x', WAHA_SIM_SEED_RECENT_CHATS: '-1' }),
    ).toThrow(/WAHA_SIM_SEED_PROFILE[\s\S]*WAHA_SIM_SEED[\s\S]*WAHA_SIM_SEED_RECENT_CHATS/);
  });

  it('names every bad variable', () => {
    expect(() =>
      settingsFromEnv({
        WAHA_SIM_PORT: '70000',
        WAHA_SIM_WEBHOOK_URL: 'not a url',
        WAHA_SIM_WEBHOOK_RETRIES: '-1',
        WAHA_SIM_ME_PHONE: '+55',
      }),
    ).toThrow(/WAHA_SIM_PORT[\s\S]*WAHA_SIM_ME_PHONE[\s\S]*WAHA_SIM_WEBHOOK_URL[\s\S]*WAHA_SIM_WEBHOOK_RETRIES/);
  });

  it('bounds the seeded data set', () => {
    expect(() => settingsFromEnv({ WAHA_SIM_SEED_CHATS: '2000', WAHA_SIM_SEED_MESSAGES: '1000' })).toThrow(
      /WAHA_SIM_SEED_CHATS x WAHA_SIM_SEED_MESSAGES/,
    );
    expect(settingsFromEnv({ WAHA_SIM_SEED_CHATS: '1000', WAHA_SIM_SEED_MESSAGES: '1000' }).seed).toEqual({
      chats: 1000,
      messagesPerChat: 1000,
    });
  });

  it('merges programmatic options over the defaults', () => {
    const s = resolveSettings({ port: 0, webhook: { retryDelayMs: 5, url: undefined }, seed: { chats: 2 } });
    expect(s.port).toBe(0);
    expect(s.webhook).toEqual({ ...DEFAULT_SETTINGS.webhook, retryDelayMs: 5 });
    expect(s.seed).toEqual({ chats: 2, messagesPerChat: 0 });
    expect(parseEventList('*')).toEqual(['*']);
    expect(parseEventList('message,*')).toEqual(['*']);
    expect(parseEventList('message,message,message.ack')).toEqual(['message', 'message.ack']);
  });
});
