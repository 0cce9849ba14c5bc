import { ValidationError } from '@app/shared';
import { importTimeRange, parseHistoryImportRequest } from './history-import';

describe('history import request and range', () => {
  it('accepts absent values and names the field of a bad one', () => {
    expect(parseHistoryImportRequest({})).toEqual({ days: null, chatLimit: null, messagesPerChatLimit: null });
    for (const [field, value] of [
      ['days', 0],
      ['days', 3651],
      ['chatLimit', 1.5],
      ['messagesPerChatLimit', '10'],
    ] as const) {
      let error: unknown;
      try {
        parseHistoryImportRequest({ [field]: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('covers the requested days, else since the last completed import (a minute of overlap), else everything; the end is pinned to the second', () => {
    const now = new Date('2026-03-10T12:00:00.750Z');
    const end = new Date('2026-03-10T12:00:00.000Z');
    expect(importTimeRange(now, 2, new Date('2026-03-09T00:00:00Z'))).toEqual({
      start: new Date('2026-03-08T12:00:00.000Z'),
      end,
    });
    expect(importTimeRange(now, null, new Date('2026-03-09T00:00:00Z'))).toEqual({
      start: new Date('2026-03-08T23:59:00.000Z'),
      end,
    });
    expect(importTimeRange(now, null, null)).toEqual({ start: null, end });
  });
});
