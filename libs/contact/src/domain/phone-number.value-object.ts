import { ValidationError } from '@app/shared';

const MIN_DIGITS = 8;
const MAX_DIGITS = 15;
/** Longest raw input we look at: a formatted E.164 number or a WhatsApp id is far shorter. */
const MAX_RAW_LENGTH = 64;
/** The WhatsApp user-id domains that carry a phone number (`<digits>[:device]@domain`). */
const WHATSAPP_USER_DOMAINS = ['c.us', 's.whatsapp.net'];
/** Characters people use to format a phone number; anything else (letters, `*`, `#`) is rejected
 *  rather than silently dropped, so `call 5511...` or `ext 12` never becomes a different number. */
const FORMATTING = /^[\d\s+().\-/]*$/;

/**
 * A phone number in E.164 form without the plus: country code and subscriber number, digits only
 * (`5511999990000`). Accepts the formats people and WhatsApp hand us:
 * `+55 (11) 99999-0000`, `0055 11 99999 0000` (international `00` prefix),
 * `5511999990000@c.us`, `5511999990000@s.whatsapp.net` and `5511999990000:12@s.whatsapp.net`.
 */
export class PhoneNumber {
  private constructor(readonly value: string) {}

  /** Parses and normalises `raw`; throws a ValidationError naming `field` when it is not a phone number. */
  static parse(raw: unknown, field = 'phone'): PhoneNumber {
    if (typeof raw !== 'string') throw new ValidationError(field, 'must be a string');
    const trimmed = raw.trim();
    if (trimmed.length === 0) throw new ValidationError(field, 'must not be empty');
    if (trimmed.length > MAX_RAW_LENGTH)
      throw new ValidationError(field, `must be at most ${MAX_RAW_LENGTH} characters`);

    const local = stripWhatsAppDomain(trimmed, field);
    if (!FORMATTING.test(local)) {
      throw new ValidationError(field, 'must contain only digits, spaces and the characters + ( ) - . /');
    }
    if (local.indexOf('+') > 0 || local.split('+').length > 2) {
      throw new ValidationError(field, 'may contain "+" only once, before the country code');
    }

    let digits = local.replace(/\D/g, '');
    if (!local.startsWith('+') && digits.startsWith('00')) digits = digits.slice(2);
    if (digits.length < MIN_DIGITS || digits.length > MAX_DIGITS) {
      throw new ValidationError(field, `must have ${MIN_DIGITS} to ${MAX_DIGITS} digits including the country code`);
    }
    if (digits.startsWith('0')) {
      throw new ValidationError(
        field,
        'must start with a country code (a national number starting with 0 is ambiguous)',
      );
    }
    return new PhoneNumber(digits);
  }

  /** Rebuilds a number that was normalised before (read from storage); still checks the shape. */
  static fromDigits(digits: string, field = 'phone'): PhoneNumber {
    if (!/^[1-9]\d{7,14}$/.test(digits)) throw new ValidationError(field, 'is not a normalised E.164 number');
    return new PhoneNumber(digits);
  }

  /** The WhatsApp chat id of a personal chat with this number. */
  toWhatsAppChatId(): string {
    return `${this.value}@c.us`;
  }

  equals(other: PhoneNumber): boolean {
    return this.value === other.value;
  }

  toString(): string {
    return this.value;
  }
}

/**
 * Digits to match against the start of stored phone numbers when a search term looks like a
 * (partial) phone number: `+55 11` -> `5511`, `0055 11` -> `5511`. Returns null for anything else
 * (names, terms without digits), so a term like `Ana 2` is never treated as a phone prefix.
 */
export function phoneSearchPrefix(term: string): string | null {
  const trimmed = term.trim();
  if (!FORMATTING.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, '');
  if (!trimmed.startsWith('+') && digits.startsWith('00')) digits = digits.slice(2);
  return digits.length > 0 ? digits.slice(0, MAX_DIGITS) : null;
}

function stripWhatsAppDomain(raw: string, field: string): string {
  const at = raw.indexOf('@');
  if (at < 0) return raw;
  const domain = raw.slice(at + 1).toLowerCase();
  if (!WHATSAPP_USER_DOMAINS.includes(domain)) {
    throw new ValidationError(field, `WhatsApp id must end with @${WHATSAPP_USER_DOMAINS.join(' or @')}`);
  }
  const user = raw.slice(0, at);
  // Multi-device ids carry the device after a colon: `5511999990000:12@s.whatsapp.net`.
  const colon = user.indexOf(':');
  const number = colon >= 0 ? user.slice(0, colon) : user;
  if (!/^\d+$/.test(number)) throw new ValidationError(field, 'WhatsApp id must be the phone digits before the @');
  return number;
}
