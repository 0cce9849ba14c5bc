import { bucketOf, chooseInboundMode } from './inbound-mode';

describe('chooseInboundMode', () => {
  const ids = Array.from(
    { length: 2000 },
    (_, i) => `false_55119999${String(i).padStart(5, '0')}@c.us_AC${i.toString(16).toUpperCase()}`,
  );

  it("takes the channel's own mode over the defaults", () => {
    expect(chooseInboundMode('direct', 'saga', 100, ids[0]!)).toBe('direct');
    expect(chooseInboundMode('saga', 'direct', 0, ids[0]!)).toBe('saga');
  });

  it('uses the default mode when the saga share is 100% or the default is direct', () => {
    expect(ids.every((id) => chooseInboundMode(null, 'saga', 100, id) === 'saga')).toBe(true);
    expect(ids.every((id) => chooseInboundMode(null, 'direct', 50, id) === 'direct')).toBe(true);
    expect(ids.every((id) => chooseInboundMode(null, 'saga', 0, id) === 'direct')).toBe(true);
  });

  it('sends about the configured share through the saga, the same way every time for one message', () => {
    const saga = ids.filter((id) => chooseInboundMode(null, 'saga', 20, id) === 'saga').length;
    expect(saga / ids.length).toBeGreaterThan(0.15);
    expect(saga / ids.length).toBeLessThan(0.25);
    expect(ids.map((id) => chooseInboundMode(null, 'saga', 20, id))).toEqual(
      ids.map((id) => chooseInboundMode(null, 'saga', 20, id)),
    );
    // Raising the share only moves messages from direct to saga, never back.
    for (const id of ids) {
      if (chooseInboundMode(null, 'saga', 20, id) === 'saga')
        expect(chooseInboundMode(null, 'saga', 60, id)).toBe('saga');
    }
    expect(bucketOf('abc')).toBe(bucketOf('abc'));
  });
});
