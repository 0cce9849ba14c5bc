import { MAX_SESSION_TIMEOUT_SECONDS } from './session-timeout';
import { resolveSessionTimeoutPolicy } from './session-timeout.policy';

describe('resolveSessionTimeoutPolicy', () => {
  const defaults = { defaultTimeoutSeconds: 1800 };

  it('uses the channel timeout first', () => {
    expect(
      resolveSessionTimeoutPolicy({ ...defaults, channelTimeoutSeconds: 600, tenantDefaultTimeoutSeconds: 900 }),
    ).toEqual({
      timeoutSeconds: 600,
      warningLeadSeconds: null,
      source: 'channel',
    });
  });

  it('falls back to the tenant default, then the system default', () => {
    expect(
      resolveSessionTimeoutPolicy({ ...defaults, channelTimeoutSeconds: null, tenantDefaultTimeoutSeconds: 900 }),
    ).toMatchObject({
      timeoutSeconds: 900,
      source: 'tenant',
    });
    expect(resolveSessionTimeoutPolicy({ ...defaults })).toMatchObject({ timeoutSeconds: 1800, source: 'default' });
  });

  it.each([0, -60, 12.5, Number.NaN])('skips an unusable value (%p) instead of using it', (bad) => {
    expect(
      resolveSessionTimeoutPolicy({ ...defaults, channelTimeoutSeconds: bad, tenantDefaultTimeoutSeconds: 900 }),
    ).toMatchObject({
      timeoutSeconds: 900,
      source: 'tenant',
    });
    expect(resolveSessionTimeoutPolicy({ ...defaults, tenantDefaultTimeoutSeconds: bad })).toMatchObject({
      timeoutSeconds: 1800,
      source: 'default',
    });
  });

  it('caps a very long timeout at the maximum', () => {
    expect(
      resolveSessionTimeoutPolicy({ ...defaults, channelTimeoutSeconds: 10 * MAX_SESSION_TIMEOUT_SECONDS }),
    ).toMatchObject({
      timeoutSeconds: MAX_SESSION_TIMEOUT_SECONDS,
      source: 'channel',
    });
  });

  it("takes the channel's warning lead, else the default lead, and keeps it only when it fits in the timeout", () => {
    expect(
      resolveSessionTimeoutPolicy({ ...defaults, channelWarningLeadSeconds: 300, defaultWarningLeadSeconds: 120 })
        .warningLeadSeconds,
    ).toBe(300);
    expect(
      resolveSessionTimeoutPolicy({ ...defaults, channelWarningLeadSeconds: null, defaultWarningLeadSeconds: 120 })
        .warningLeadSeconds,
    ).toBe(120);
    // A lead as long as the timeout would warn at (or before) the last activity: dropped.
    expect(
      resolveSessionTimeoutPolicy({ ...defaults, channelTimeoutSeconds: 300, channelWarningLeadSeconds: 300 })
        .warningLeadSeconds,
    ).toBeNull();
    expect(
      resolveSessionTimeoutPolicy({ ...defaults, channelTimeoutSeconds: 60, defaultWarningLeadSeconds: 120 })
        .warningLeadSeconds,
    ).toBeNull();
    expect(resolveSessionTimeoutPolicy({ ...defaults, channelWarningLeadSeconds: 0 }).warningLeadSeconds).toBeNull();
  });

  it('refuses an invalid system default (a programming or configuration error)', () => {
    expect(() => resolveSessionTimeoutPolicy({ defaultTimeoutSeconds: 0 })).toThrow(RangeError);
  });
});
