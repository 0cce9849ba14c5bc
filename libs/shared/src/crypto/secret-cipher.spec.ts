import { randomBytes } from 'node:crypto';
import { SecretCipher } from './secret-cipher';
import { secretCipherFromEnv } from './secrets.module';

describe('SecretCipher', () => {
  const cipher = new SecretCipher(randomBytes(32));

  it('round-trips and never stores the plaintext', () => {
    const stored = cipher.encrypt('whsec_top-secret');
    expect(stored).not.toContain('top-secret');
    expect(cipher.decrypt(stored)).toBe('whsec_top-secret');
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('rejects tampered data and other keys', () => {
    const stored = cipher.encrypt('secret');
    const parts = stored.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
    expect(() => new SecretCipher(randomBytes(32)).decrypt(stored)).toThrow();
  });

  it('requires a key in production and names the variable', () => {
    expect(() => secretCipherFromEnv({ NODE_ENV: 'production' })).toThrow(/SECRETS_ENCRYPTION_KEY: required/);
    expect(() => secretCipherFromEnv({ SECRETS_ENCRYPTION_KEY: 'short' })).toThrow(
      /SECRETS_ENCRYPTION_KEY must be 32 bytes/,
    );
    const key = randomBytes(32).toString('base64');
    expect(
      secretCipherFromEnv({ SECRETS_ENCRYPTION_KEY: key }).decrypt(
        new SecretCipher(Buffer.from(key, 'base64')).encrypt('x'),
      ),
    ).toBe('x');
  });
});
