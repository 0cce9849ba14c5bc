import { decideFault, faultApplies } from './fault.interceptor';

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
