import { ValidationError } from './errors';
import { decodeCursor, encodeCursor, keysetAfter, toPage } from './paging';

const ID = '0b8f5a9e-3c1d-4e2f-9a7b-6c5d4e3f2a1b';

function fieldOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('keyset cursors', () => {
  it('carry the position exactly, microseconds included', () => {
    const position = { createdAt: '2026-03-10T13:02:30.123456Z', id: ID };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('build the next cursor from the last row shown, not from its millisecond Date', () => {
    const rows = ['.123003', '.123002', '.123001'].map((us, i) => ({
      item: i,
      position: { createdAt: `2026-03-10T13:02:30${us}Z`, id: ID },
    }));
    const page = toPage(rows, 2, (item) => item * 10);
    expect(page.data).toEqual([0, 10]);
    expect(decodeCursor(page.nextCursor!)).toEqual({ createdAt: '2026-03-10T13:02:30.123002Z', id: ID });
    expect(toPage(rows, 3, (item) => item).nextCursor).toBeNull();
  });

  it('accept cursors issued with millisecond positions', () => {
    const legacy = Buffer.from(JSON.stringify(['2026-03-10T13:02:30.123Z', ID])).toString('base64url');
    expect(keysetAfter(legacy)).toEqual({ createdAt: '2026-03-10T13:02:30.123Z', id: ID });
  });

  it('refuse anything else with a ValidationError naming cursor', () => {
    const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const forged of [
      'not base64 json',
      encoded(['yesterday', ID]),
      encoded(['2026-03-10T13:02:30.1234567Z', ID]),
      encoded(['2026-03-10 13:02:30Z', ID]),
      encoded([1773147750123, ID]),
      encoded(['2026-13-10T13:02:30.123Z', ID]),
      encoded({ createdAt: '2026-03-10T13:02:30.123Z', id: ID }),
    ]) {
      expect({ forged, field: fieldOf(() => keysetAfter(forged)) }).toEqual({ forged, field: 'cursor' });
    }
    expect(fieldOf(() => keysetAfter(encoded(['2026-03-10T13:02:30.123Z', 'not-a-uuid'])))).toBe('cursor');
    expect(keysetAfter(undefined)).toBeUndefined();
  });
});
