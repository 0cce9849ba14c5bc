import { ValidationError } from '@app/shared';
import { parseWahaApiKey, parseWebhookSecret } from './channel-secrets';
import { parseWahaBaseUrl, parseWarningText } from './channel-settings';

function fieldOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('channel settings', () => {
  it('normalises WAHA base URLs to origin plus path, without a trailing slash', () => {
    expect(parseWahaBaseUrl('https://WAHA.example.com/')).toBe('https://waha.example.com');
    expect(parseWahaBaseUrl(' http://127.0.0.1:3000 ')).toBe('http://127.0.0.1:3000');
    expect(parseWahaBaseUrl('https://proxy.example.com/waha//')).toBe('https://proxy.example.com/waha');
    expect(parseWahaBaseUrl('http://waha:3000/api-gw')).toBe('http://waha:3000/api-gw');
    expect(parseWahaBaseUrl('https://waha.example.com:443/')).toBe('https://waha.example.com');
  });

  it.each([
    '',
    'javascript:alert(1)',
    'http://',
    'https://a b.example.com',
    'https://waha.example.com/?',
    'x'.repeat(2049),
  ])('rejects %p as a WAHA base URL', (url) => {
    expect(fieldOf(() => parseWahaBaseUrl(url))).toBe('wahaBaseUrl');
  });

  it('keeps line breaks in a warning text but trims it, and treats blank as none', () => {
    expect(parseWarningText(' Hi!\r\nStill there?\t ')).toBe('Hi!\r\nStill there?');
    expect(parseWarningText('  ')).toBeNull();
    expect(parseWarningText(null)).toBeNull();
  });

  it('accepts webhook secrets of 16 to 256 printable characters without spaces', () => {
    expect(parseWebhookSecret('a'.repeat(16))).toBe('a'.repeat(16));
    expect(parseWebhookSecret('my-secret-key!#$%&*+=~1234')).toBe('my-secret-key!#$%&*+=~1234');
    expect(fieldOf(() => parseWebhookSecret('short'))).toBe('webhookSecret');
    expect(fieldOf(() => parseWebhookSecret('a'.repeat(257)))).toBe('webhookSecret');
    expect(fieldOf(() => parseWebhookSecret('has a space in it ok'))).toBe('webhookSecret');
    expect(fieldOf(() => parseWebhookSecret('ünïcödé-sécret-1234'))).toBe('webhookSecret');
  });

  it('treats a blank WAHA API key as none and rejects unusable ones', () => {
    expect(parseWahaApiKey('  key-123  ')).toBe('key-123');
    expect(parseWahaApiKey('')).toBeNull();
    expect(parseWahaApiKey(null)).toBeNull();
    expect(fieldOf(() => parseWahaApiKey('two words'))).toBe('wahaApiKey');
    expect(fieldOf(() => parseWahaApiKey('k'.repeat(513)))).toBe('wahaApiKey');
    expect(fieldOf(() => parseWahaApiKey(42))).toBe('wahaApiKey');
  });
});
