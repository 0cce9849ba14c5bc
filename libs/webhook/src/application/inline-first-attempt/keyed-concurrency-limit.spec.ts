import { KeyedConcurrencyLimit } from './keyed-concurrency-limit';

describe('KeyedConcurrencyLimit', () => {
  it('admits up to the limit per key, independently per key, and admits again after a release', () => {
    const limit = new KeyedConcurrencyLimit(2);
    const a1 = limit.tryAcquire('a');
    const a2 = limit.tryAcquire('a');
    expect(a1).not.toBeNull();
    expect(a2).not.toBeNull();
    expect(limit.tryAcquire('a')).toBeNull();
    expect(limit.tryAcquire('b')).not.toBeNull();
    expect(limit.inFlight('a')).toBe(2);

    a1!();
    expect(limit.inFlight('a')).toBe(1);
    expect(limit.tryAcquire('a')).not.toBeNull();
    expect(limit.tryAcquire('a')).toBeNull();
  });

  it('counts a release once, however often it is called, and forgets idle keys', () => {
    const limit = new KeyedConcurrencyLimit(1);
    const release = limit.tryAcquire('a')!;
    release();
    release();
    expect(limit.inFlight('a')).toBe(0);
    const again = limit.tryAcquire('a');
    expect(again).not.toBeNull();
    release(); // a stale release must not free the new holder's slot
    expect(limit.tryAcquire('a')).toBeNull();
    expect((limit as unknown as { held: Map<string, number> }).held.size).toBe(1);
    again!();
    expect((limit as unknown as { held: Map<string, number> }).held.size).toBe(0);
  });

  it('admits nothing with limit 0 and refuses a bad limit', () => {
    expect(new KeyedConcurrencyLimit(0).tryAcquire('a')).toBeNull();
    expect(() => new KeyedConcurrencyLimit(-1)).toThrow(RangeError);
    expect(() => new KeyedConcurrencyLimit(1.5)).toThrow(RangeError);
  });

  it('acquire waits in line for a released slot, first come first served, without exceeding the limit', async () => {
    const limit = new KeyedConcurrencyLimit(1);
    const first = limit.tryAcquire('a')!;
    const order: string[] = [];
    const second = limit.acquire('a', 1_000).then((release) => {
      order.push('second');
      return release;
    });
    const third = limit.acquire('a', 1_000).then((release) => {
      order.push('third');
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(limit.waiting('a')).toBe(2);
    expect(limit.waiting('b')).toBe(0);
    first();
    const secondRelease = await second;
    expect(secondRelease).not.toBeNull();
    expect(limit.inFlight('a')).toBe(1);
    expect(order).toEqual(['second']);
    expect(limit.waiting('a')).toBe(1);
    secondRelease!();
    (await third)!();
    expect(limit.waiting('a')).toBe(0);
    expect(order).toEqual(['second', 'third']);
    expect(limit.inFlight('a')).toBe(0);
  });

  it('acquire answers null when no slot comes free in time, and a later release is not lost to it', async () => {
    const limit = new KeyedConcurrencyLimit(1);
    const holder = limit.tryAcquire('a')!;
    expect(await limit.acquire('a', 20)).toBeNull();
    expect(await limit.acquire('a', 0)).toBeNull();
    holder();
    expect(limit.inFlight('a')).toBe(0);
    expect(await limit.acquire('a', 0)).not.toBeNull();
  });
});
