import { ValidationError } from '@app/shared';
import { CONTACT_FIRST_TOUCH_MAX_BYTES, parseContactFirstTouch } from './contact-first-touch';

/** `{"k":"<value>"}` is 8 bytes plus the value's. */
const withJsonBytes = (bytes: number, char = 'x') => ({ k: char.repeat((bytes - 8) / Buffer.byteLength(char)) });

function validationError(data: unknown): ValidationError {
  try {
    parseContactFirstTouch(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('firstTouch');
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('parseContactFirstTouch', () => {
  it('returns the JSON form of an object: a deep copy, undefined dropped, dates as strings', () => {
    const data = {
      sourceType: 'ad',
      n: 1,
      ok: true,
      none: null,
      gone: undefined,
      at: new Date('2025-11-26T10:00:00.000Z'),
      deep: { list: [1, 'a'] },
    };
    const parsed = parseContactFirstTouch(data);
    expect(parsed).toEqual({
      sourceType: 'ad',
      n: 1,
      ok: true,
      none: null,
      at: '2025-11-26T10:00:00.000Z',
      deep: { list: [1, 'a'] },
    });
    expect(parsed.deep).not.toBe(data.deep);
    expect(parseContactFirstTouch({})).toEqual({});
  });

  it('accepts exactly 16 KiB of JSON, counted in UTF-8 bytes, and rejects one byte more', () => {
    expect(CONTACT_FIRST_TOUCH_MAX_BYTES).toBe(16384);
    expect(() => parseContactFirstTouch(withJsonBytes(16384))).not.toThrow();
    expect(validationError(withJsonBytes(16386, 'é')).message).toContain('16 KiB');
    expect(() => parseContactFirstTouch(withJsonBytes(16384, 'é'))).not.toThrow();
    // 16 385 bytes, though far fewer characters.
    expect(validationError({ k: `${'é'.repeat(8188)}x` }).message).toContain('at most 16384 bytes');
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an array', [1, 2]],
    ['a string', '{"a":1}'],
    ['a number', 42],
    ['an object whose toJSON is not an object', { toJSON: () => 'text' }],
    ['an object whose toJSON is undefined', { toJSON: () => undefined }],
  ])('rejects %s as not a JSON object', (_label, data) => {
    expect(validationError(data).message).toBe('firstTouch: must be a JSON object');
  });

  it('rejects what JSON cannot hold', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(validationError(circular).message).toContain('serialisable as JSON');
    expect(validationError({ big: BigInt(1) }).message).toContain('serialisable as JSON');
  });

  it('rejects what Postgres jsonb cannot hold (NUL, lone surrogates) but not look-alike text', () => {
    expect(validationError({ a: 'x\u0000y' }).message).toContain('NUL');
    expect(validationError({ 'k\u0000': 1 }).message).toContain('NUL');
    expect(validationError({ a: '\ud83d' }).message).toContain('surrogates');
    expect(validationError({ a: 'x\udc00' }).message).toContain('surrogates');
    expect(parseContactFirstTouch({ a: '😀', b: '\\u0000', c: '\\ud83d', d: '\\\u00e9' })).toEqual({
      a: '😀',
      b: '\\u0000',
      c: '\\ud83d',
      d: '\\é',
    });
  });

  it('names the field given by the caller', () => {
    expect(() => parseContactFirstTouch(null, 'referral')).toThrow(/^referral: /);
  });
});
