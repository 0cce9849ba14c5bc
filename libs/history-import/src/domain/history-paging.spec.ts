import fc from 'fast-check';
import { advance, firstCursor, type HistoryCursor, pageRequest, type PagedItem, readCursor } from './history-paging';
import { fuzzSeed } from '../../../../test/support/fuzz-seed';

/** WAHA's messages endpoint over `items`: timestamp desc (ties in a fixed order), inclusive bounds, offset/limit. */
function wahaPage(
  items: readonly PagedItem[],
  request: { timestampLte: number; timestampGte?: number; offset: number; limit: number },
): PagedItem[] {
  return items
    .filter(
      (i) =>
        i.timestamp <= request.timestampLte &&
        (request.timestampGte === undefined || i.timestamp >= request.timestampGte),
    )
    .sort((a, b) => b.timestamp - a.timestamp || a.id.localeCompare(b.id))
    .slice(request.offset, request.offset + request.limit);
}

function importAll(
  items: readonly PagedItem[],
  options: { pageSize: number; rangeStart: number | null; rangeEnd: number; limit: number | null },
) {
  let cursor: HistoryCursor = firstCursor(options.rangeEnd);
  const taken: PagedItem[] = [];
  let calls = 0;
  while (!cursor.done) {
    calls += 1;
    if (calls > 10_000) throw new Error('paging does not terminate');
    const request = pageRequest(cursor, options.rangeStart, options.pageSize);
    const page = wahaPage(items, request);
    const result = advance(cursor, page, { rangeStartSeconds: options.rangeStart, limit: options.limit });
    taken.push(...result.fresh);
    // Round-trips through storage (jsonb) like the real cursor.
    cursor = readCursor(JSON.parse(JSON.stringify(result.cursor)))!;
  }
  return { taken, calls };
}

describe('history paging', () => {
  it('takes every message once when runs of equal seconds straddle page boundaries', () => {
    // 10 messages: seconds 100 x3, 99 x4, 98 x3; pages of 4 cut inside both runs.
    const items = [100, 100, 100, 99, 99, 99, 99, 98, 98, 98].map((timestamp, i) => ({ id: `m${i}`, timestamp }));
    const { taken } = importAll(items, { pageSize: 4, rangeStart: null, rangeEnd: 200, limit: null });
    expect(taken.map((i) => i.id).sort()).toEqual(items.map((i) => i.id).sort());
    expect(new Set(taken.map((i) => i.id)).size).toBe(taken.length);
  });

  it('steps by offset through a second that holds more messages than a page', () => {
    const items = Array.from({ length: 25 }, (_, i) => ({
      id: `same${String(i).padStart(2, '0')}`,
      timestamp: 500,
    })).concat([{ id: 'older', timestamp: 400 }]);
    const { taken } = importAll(items, { pageSize: 10, rangeStart: null, rangeEnd: 1000, limit: null });
    expect(taken).toHaveLength(26);
    expect(new Set(taken.map((i) => i.id)).size).toBe(26);
  });

  it('keeps the inclusive bounds: messages on the first and last second are imported', () => {
    const items = [
      { id: 'end', timestamp: 200 },
      { id: 'mid', timestamp: 150 },
      { id: 'start', timestamp: 100 },
      { id: 'before', timestamp: 99 },
      { id: 'after', timestamp: 201 },
    ];
    const { taken } = importAll(items, { pageSize: 2, rangeStart: 100, rangeEnd: 200, limit: null });
    expect(taken.map((i) => i.id).sort()).toEqual(['end', 'mid', 'start']);
  });

  it('takes the newest messages up to the per-chat limit', () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ id: `m${i}`, timestamp: 1000 - i }));
    const { taken } = importAll(items, { pageSize: 7, rangeStart: null, rangeEnd: 2000, limit: 12 });
    expect(taken.map((i) => i.id)).toEqual(items.slice(0, 12).map((i) => i.id));
  });

  it('drops items an engine returns outside the bounds it was asked for', () => {
    const cursor = firstCursor(100);
    const { fresh } = advance(
      cursor,
      [
        { id: 'late', timestamp: 150 },
        { id: 'ok', timestamp: 90 },
        { id: 'early', timestamp: 10 },
      ],
      { rangeStartSeconds: 50, limit: null },
    );
    expect(fresh.map((i) => i.id)).toEqual(['ok']);
  });

  it('refuses a stored cursor of another shape (the chat starts again; duplicates are skipped by id)', () => {
    expect(readCursor(null)).toBeNull();
    expect(readCursor({ upTo: '1', offset: 0, seenAtUpTo: [], taken: 0, done: false })).toBeNull();
    expect(readCursor({ upTo: 1, offset: 0, seenAtUpTo: [1], taken: 0, done: false })).toBeNull();
  });

  it('property: any history, page size and bounds give exactly the messages in range, each once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 120 }),
        fc.integer({ min: 1, max: 15 }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
        fc.integer({ min: 0, max: 45 }),
        (timestamps, pageSize, rangeStart, rangeEnd) => {
          const items = timestamps.map((timestamp, i) => ({ id: `m${i}`, timestamp }));
          const { taken } = importAll(items, { pageSize, rangeStart, rangeEnd, limit: null });
          const expected = items
            .filter((i) => i.timestamp <= rangeEnd && (rangeStart === null || i.timestamp >= rangeStart))
            .map((i) => i.id)
            .sort();
          expect(taken.map((i) => i.id).sort()).toEqual(expected);
        },
      ),
      { seed: fuzzSeed(), numRuns: 300 },
    );
  });
});
