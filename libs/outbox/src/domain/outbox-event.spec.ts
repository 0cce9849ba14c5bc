import { afterFailedAttempt } from './outbox-event';

describe('afterFailedAttempt', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 5_000 };
  const now = new Date('2026-01-01T00:00:00Z');

  it('backs off exponentially from the base delay', () => {
    expect(afterFailedAttempt(1, policy, now)).toEqual({
      status: 'failed',
      nextAttemptAt: new Date(now.getTime() + 1_000),
    });
    expect(afterFailedAttempt(2, policy, now).nextAttemptAt.getTime() - now.getTime()).toBe(2_000);
    expect(afterFailedAttempt(3, policy, now).nextAttemptAt.getTime() - now.getTime()).toBe(4_000);
  });

  it('caps the delay at the maximum', () => {
    expect(
      afterFailedAttempt(3, { ...policy, maxAttempts: 10, maxDelayMs: 3_000 }, now).nextAttemptAt.getTime() -
        now.getTime(),
    ).toBe(3_000);
  });

  it('dead-letters once the attempts are used up', () => {
    expect(afterFailedAttempt(4, policy, now).status).toBe('dead');
    expect(afterFailedAttempt(5, policy, now).status).toBe('dead');
  });
});
