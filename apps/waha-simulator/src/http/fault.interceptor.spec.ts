import { type FaultSettings, NO_FAULTS } from '../state/simulator-state';
import { decideFault, faultApplies, takeFailure } from './fault.interceptor';

describe('fault injection decisions', () => {
  it('applies to /api paths only, optionally narrowed by prefixes', () => {
    expect(faultApplies('/api/sendText', [])).toBe(true);
    expect(faultApplies('/api', [])).toBe(true);
    expect(faultApplies('/ping', [])).toBe(false);
    expect(faultApplies('/_sim/inbound', [])).toBe(false);
    expect(faultApplies('/apiary', [])).toBe(false);
    expect(faultApplies('/api/default/chats', ['/api/sendText'])).toBe(false);
    expect(faultApplies('/api/sendText', ['/api/default/chats', '/api/sendText'])).toBe(true);
  });

  it('rolls 429 first, then 500', () => {
    expect(decideFault({ errorRate: 0, status429Rate: 0 }, () => 0)).toBe('none');
    expect(decideFault({ errorRate: 1, status429Rate: 1 }, () => 0.99)).toBe('throttle');
    expect(decideFault({ errorRate: 1, status429Rate: 0 }, () => 0.99)).toBe('error');
    const rolls = [0.6, 0.2];
    expect(decideFault({ errorRate: 0.5, status429Rate: 0.5 }, () => rolls.shift()!)).toBe('error');
    expect(decideFault({ errorRate: 0.5, status429Rate: 0.5 }, () => 0.7)).toBe('none');
  });
});

describe('deterministic failures (failNext)', () => {
  const faults = (overrides: Partial<FaultSettings>): FaultSettings => ({ ...NO_FAULTS, ...overrides });
  const failNext = (
    status: 429 | 500 | 502 | 503,
    count: number,
    extra: { retryAfterSeconds?: number; onlyPaths?: string[] } = {},
  ) => ({
    count,
    remaining: count,
    status,
    retryAfterSeconds: extra.retryAfterSeconds ?? null,
    onlyPaths: extra.onlyPaths ?? [],
  });
  const pages = '/api/default/chats/*/messages$';
  const page = '/api/default/chats/5511999990001@c.us/messages';

  it('fails exactly the next N matching requests, then recovers', () => {
    const settings = faults({ failNext: failNext(503, 2, { onlyPaths: [pages] }) });
    expect(takeFailure(settings, '/api/default/chats')).toBeNull();
    expect(takeFailure(settings, page)).toEqual({ status: 503, retryAfterSeconds: null });
    expect(takeFailure(settings, `${page}/AC00`)).toBeNull();
    expect(takeFailure(settings, page)).toEqual({ status: 503, retryAfterSeconds: null });
    expect(settings.failNext!.remaining).toBe(0);
    expect(takeFailure(settings, page)).toBeNull();
    expect(settings.failNext!.count).toBe(2);
  });

  it('gives 429 a Retry-After (its own or the settings one) and 503 only when asked', () => {
    expect(takeFailure(faults({ retryAfterSeconds: 4, failNext: failNext(429, 1) }), page)).toEqual({
      status: 429,
      retryAfterSeconds: 4,
    });
    expect(takeFailure(faults({ failNext: failNext(429, 1, { retryAfterSeconds: 9 }) }), page)).toEqual({
      status: 429,
      retryAfterSeconds: 9,
    });
    expect(takeFailure(faults({ failNext: failNext(503, 1, { retryAfterSeconds: 2 }) }), page)).toEqual({
      status: 503,
      retryAfterSeconds: 2,
    });
    expect(takeFailure(faults({ failNext: failNext(500, 1, { retryAfterSeconds: 2 }) }), page)).toEqual({
      status: 500,
      retryAfterSeconds: null,
    });
  });

  it('takes the budget before the rates, and the rates only within onlyPaths', () => {
    const settings = faults({
      errorRate: 1,
      errorStatus: 422,
      onlyPaths: ['/api/sendText'],
      failNext: failNext(502, 1),
    });
    expect(takeFailure(settings, page)).toEqual({ status: 502, retryAfterSeconds: null });
    expect(takeFailure(settings, page)).toBeNull();
    expect(takeFailure(settings, '/api/sendText')).toEqual({ status: 422, retryAfterSeconds: null });
    expect(takeFailure(faults({ status429Rate: 1, retryAfterSeconds: 3 }), page)).toEqual({
      status: 429,
      retryAfterSeconds: 3,
    });
    expect(takeFailure(faults({ failNext: failNext(500, 1) }), '/ping')).toBeNull();
  });

  it('matches decoded paths with segment wildcards', () => {
    expect(faultApplies(page, [pages])).toBe(true);
    expect(faultApplies('/api/default/chats', [pages])).toBe(false);
  });
});
