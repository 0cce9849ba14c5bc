import { ConfigValidationError, validateConfig } from '@app/shared';
import { WebhookEnv, webhookConfig } from './webhook.config';

describe('webhook config', () => {
  it('has the documented defaults', () => {
    const env = validateConfig(WebhookEnv, {});
    expect(env).toMatchObject({
      WEBHOOK_TIMEOUT_MS: 15_000,
      WEBHOOK_SLOW_AFTER_MS: 5_000,
      WEBHOOK_ALLOW_HTTP: false,
      WEBHOOK_DISABLE_AFTER_FAILURES: 5,
      WEBHOOK_DEFAULT_MAX_ATTEMPTS: 8,
      WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS: 2_000,
      WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION: 8,
      WEBHOOK_INLINE_SLOT_WAIT_MS: 30_000,
    });
    expect(env.WEBHOOK_ALLOWED_CIDRS).toBeUndefined();
  });

  it('reads the variables, booleans included', () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      WEBHOOK_TIMEOUT_MS: '250',
      WEBHOOK_SLOW_AFTER_MS: '120',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32, 10.0.0.0/8',
      WEBHOOK_DISABLE_AFTER_FAILURES: '2',
      WEBHOOK_DEFAULT_MAX_ATTEMPTS: '3',
      WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS: '200',
      WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION: '0',
      WEBHOOK_INLINE_SLOT_WAIT_MS: '0',
    });
    try {
      expect(webhookConfig()).toEqual({
        timeoutMs: 250,
        slowAfterMs: 120,
        allowHttp: true,
        allowedCidrs: [
          { network: '127.0.0.1', prefix: 32, family: 'ipv4' },
          { network: '10.0.0.0', prefix: 8, family: 'ipv4' },
        ],
        disableAfterFailures: 2,
        defaultMaxAttempts: 3,
        inlineAttemptTimeoutMs: 200,
        inlineMaxPerSubscription: 0,
        inlineSlotWaitMs: 0,
      });
    } finally {
      process.env = saved;
    }
  });

  it('caps the inline attempt timeout at WEBHOOK_TIMEOUT_MS', () => {
    const saved = { ...process.env };
    Object.assign(process.env, { WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS: '5000' });
    try {
      expect(webhookConfig()).toMatchObject({ timeoutMs: 1000, inlineAttemptTimeoutMs: 1000 });
    } finally {
      process.env = saved;
    }
  });

  it.each([
    [{ WEBHOOK_TIMEOUT_MS: '10' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ WEBHOOK_SLOW_AFTER_MS: '99' }, 'WEBHOOK_SLOW_AFTER_MS'],
    [{ WEBHOOK_ALLOW_HTTP: 'maybe' }, 'WEBHOOK_ALLOW_HTTP'],
    [
      { WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32,localhost' },
      'WEBHOOK_ALLOWED_CIDRS: "localhost" is not an IP address or CIDR',
    ],
    [{ WEBHOOK_DISABLE_AFTER_FAILURES: '0' }, 'WEBHOOK_DISABLE_AFTER_FAILURES'],
    [{ WEBHOOK_DEFAULT_MAX_ATTEMPTS: '51' }, 'WEBHOOK_DEFAULT_MAX_ATTEMPTS'],
    [{ WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS: '50' }, 'WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS'],
    [{ WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS: 'soon' }, 'WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS'],
    [{ WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION: '-1' }, 'WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION'],
    [{ WEBHOOK_INLINE_SLOT_WAIT_MS: '-5' }, 'WEBHOOK_INLINE_SLOT_WAIT_MS'],
  ])('refuses %p naming the variable', (env, message) => {
    expect(() => validateConfig(WebhookEnv, env)).toThrow(ConfigValidationError);
    expect(() => validateConfig(WebhookEnv, env)).toThrow(message);
  });
});
