import { ValidationError } from '@app/shared';
import { PhoneNumber, phoneSearchPrefix } from './phone-number.value-object';

describe('PhoneNumber', () => {
  it.each([
    ['+55 (11) 99999-0000', '5511999990000'],
    ['+55 11 99999 0000', '5511999990000'],
    ['5511999990000', '5511999990000'],
    ['  +1-202-555-0143  ', '12025550143'],
    ['0055 11 99999-0000', '5511999990000'],
    ['0055(11)999990000', '5511999990000'],
    ['+44 20.7946.0958', '442079460958'],
    ['5511999990000@c.us', '5511999990000'],
    ['5511999990000@s.whatsapp.net', '5511999990000'],
    ['5511999990000@S.WHATSAPP.NET', '5511999990000'],
    ['5511999990000:12@s.whatsapp.net', '5511999990000'],
    ['49 30 1234/5678', '493012345678'],
  ])('normalises %p to %p', (raw, expected) => {
    expect(PhoneNumber.parse(raw).value).toBe(expected);
  });

  it('accepts the shortest (8) and longest (15) digit counts', () => {
    expect(PhoneNumber.parse('12345678').value).toBe('12345678');
    expect(PhoneNumber.parse('+123456789012345').value).toBe('123456789012345');
  });

  it.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['1234567', '8 to 15 digits'],
    ['+1234567890123456', '8 to 15 digits'],
    ['011 99999-0000', 'must start with a country code'],
    ['+0 11 99999-0000', 'must start with a country code'],
    ['00', '8 to 15 digits'],
    ['call 5511999990000', 'must contain only digits'],
    ['5511999990000 ext 5', 'must contain only digits'],
    ['+55 11 +99999-0000', '"+" only once'],
    ['55+11999990000', '"+" only once'],
    ['120363025@g.us', 'WhatsApp id must end with @c.us or @s.whatsapp.net'],
    ['5511999990000@lid', 'WhatsApp id must end with'],
    ['abc@c.us', 'WhatsApp id must be the phone digits'],
    ['1'.repeat(65), 'at most 64 characters'],
  ])('rejects %p with a ValidationError on phone (%s)', (raw, message) => {
    let caught: unknown;
    try {
      PhoneNumber.parse(raw);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe('phone');
    expect((caught as ValidationError).code).toBe('VALIDATION_FAILED');
    expect((caught as ValidationError).message).toContain(message);
  });

  it('rejects a value that is not a string', () => {
    expect(() => PhoneNumber.parse(5511999990000)).toThrow(ValidationError);
    expect(() => PhoneNumber.parse(null)).toThrow('phone: must be a string');
  });

  it('names the field given by the caller', () => {
    expect(() => PhoneNumber.parse('12', 'from')).toThrow(/^from: /);
  });

  it('compares by value and renders its WhatsApp chat id', () => {
    const a = PhoneNumber.parse('+55 (11) 99999-0000');
    const b = PhoneNumber.parse('5511999990000@c.us');
    expect(a.equals(b)).toBe(true);
    expect(a.equals(PhoneNumber.parse('5511999990001'))).toBe(false);
    expect(a.toWhatsAppChatId()).toBe('5511999990000@c.us');
    expect(String(a)).toBe('5511999990000');
  });

  it('rebuilds stored digits and refuses anything that is not normalised', () => {
    expect(PhoneNumber.fromDigits('5511999990000').value).toBe('5511999990000');
    expect(() => PhoneNumber.fromDigits('+5511999990000')).toThrow(ValidationError);
    expect(() => PhoneNumber.fromDigits('0511999990000')).toThrow(ValidationError);
  });
});

describe('phoneSearchPrefix', () => {
  it.each([
    ['+55 11', '5511'],
    ['0055 11', '5511'],
    ['(11) 9999', '119999'],
    ['5511999990000', '5511999990000'],
  ])('turns the number-like term %p into the prefix %p', (term, prefix) => {
    expect(phoneSearchPrefix(term)).toBe(prefix);
  });

  it.each(['ana', 'Ana 2', '', '+', ' - '])('does not treat %p as a phone prefix', (term) => {
    expect(phoneSearchPrefix(term)).toBeNull();
  });
});
