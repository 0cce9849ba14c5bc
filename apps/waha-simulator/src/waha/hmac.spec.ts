import { signWebhookBody, verifyWebhookSignature } from './hmac';

describe('webhook HMAC (§4.2)', () => {
  const body = '{"event":"message","session":"default","engine":"WEBJS"}';
  const expected =
    '208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89';

  it('matches the official WAHA test vector (HMAC-SHA512, lower-case hex)', () => {
    expect(signWebhookBody('my-secret-key', body)).toBe(expected);
    expect(signWebhookBody('my-secret-key', Buffer.from(body, 'utf8'))).toBe(expected);
  });

  it('verifies on the exact raw bytes only', () => {
    expect(verifyWebhookSignature('my-secret-key', Buffer.from(body), expected)).toBe(true);
    expect(verifyWebhookSignature('my-secret-key', Buffer.from(body), expected.toUpperCase())).toBe(true);
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    expect(verifyWebhookSignature('my-secret-key', reserialised, expected)).toBe(false);
    expect(verifyWebhookSignature('other-key', body, expected)).toBe(false);
    expect(verifyWebhookSignature('my-secret-key', body, 'abc')).toBe(false);
  });

  it('signs UTF-8 bytes of non-ASCII bodies', () => {
    const text = '{"body":"Olá 👍"}';
    expect(signWebhookBody('k', text)).toBe(signWebhookBody('k', Buffer.from(text, 'utf8')));
    expect(signWebhookBody('k', text)).toMatch(/^[0-9a-f]{128}$/);
  });
});
