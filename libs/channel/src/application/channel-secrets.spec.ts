import { randomBytes } from 'node:crypto';
import { SecretCipher } from '@app/shared';
import { type EncryptedSecret } from '../domain/channel-secrets';
import { ChannelSecrets, ChannelSecretUnreadableError } from './channel-secrets';

describe('ChannelSecrets', () => {
  const secrets = new ChannelSecrets(new SecretCipher(randomBytes(32)));
  const otherKey = new ChannelSecrets(new SecretCipher(randomBytes(32)));
  const CHANNEL = '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30';

  it('generates 32 random bytes as hex, different every time', () => {
    const a = secrets.generateWebhookSecret();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets.generateWebhookSecret()).not.toBe(a);
  });

  it('encrypts without keeping the plaintext and decrypts back', () => {
    const stored = secrets.encrypt('waha-key-123');
    expect(stored).not.toContain('waha-key-123');
    expect(secrets.decrypt(stored, CHANNEL, 'wahaApiKey')).toBe('waha-key-123');
  });

  it('names the channel and field when a stored secret cannot be decrypted, without the ciphertext', () => {
    const stored = otherKey.encrypt('written-under-another-key');
    let error: unknown;
    try {
      secrets.decrypt(stored, CHANNEL, 'webhookSecret');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ChannelSecretUnreadableError);
    expect(error).toMatchObject({ channelId: CHANNEL, field: 'webhookSecret' });
    expect((error as Error).message).toContain('SECRETS_ENCRYPTION_KEY');
    expect((error as Error).message).not.toContain(stored);
  });

  it('tells whether a stored secret holds a plaintext; an unreadable one holds nothing', () => {
    const stored = secrets.encrypt('abc-123');
    expect(secrets.holds(stored, 'abc-123')).toBe(true);
    expect(secrets.holds(stored, 'abc-124')).toBe(false);
    expect(secrets.holds(stored, null)).toBe(false);
    expect(secrets.holds(null, 'abc-123')).toBe(false);
    expect(secrets.holds(null, null)).toBe(true);
    expect(secrets.holds('v1.garbage' as EncryptedSecret, 'abc-123')).toBe(false);
  });
});
