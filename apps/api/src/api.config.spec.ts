import { apiConfig } from './api.config';

describe('apiConfig', () => {
  const load = (env: Record<string, string>) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return apiConfig();
    } finally {
      process.env = saved;
    }
  };

  it('defaults: 600 requests per key and per address per 60 s, 1mb REST bodies, 5mb WAHA bodies, last use every 60 s', () => {
    expect(load({})).toMatchObject({
      rateLimit: { perKey: 600, perIp: 600, windowSeconds: 60 },
      bodyLimit: { api: '1mb', wahaWebhook: '5mb' },
      apiKeyLastUsedResolutionSeconds: 60,
    });
  });

  it('reads API_TRUST_PROXY as Express takes it', () => {
    expect(load({}).trustProxy).toBe(false);
    expect(load({ API_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(load({ API_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(load({ API_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
  });

  it('names a bad variable', () => {
    expect(() => load({ API_BODY_LIMIT: 'a lot' })).toThrow(/API_BODY_LIMIT must be a size/);
    expect(() => load({ API_RATE_LIMIT_PER_KEY: '0' })).toThrow(/API_RATE_LIMIT_PER_KEY/);
    expect(() => load({ API_KEY_LAST_USED_RESOLUTION_SECONDS: 'soon' })).toThrow(
      /API_KEY_LAST_USED_RESOLUTION_SECONDS/,
    );
  });
});
