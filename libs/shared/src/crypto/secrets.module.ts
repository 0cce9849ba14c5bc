import { createHash } from 'node:crypto';
import { Global, Logger, Module } from '@nestjs/common';
import { IsOptional, Matches } from 'class-validator';
import { validateConfig } from '../config/validate-config';
import { SecretCipher } from './secret-cipher';

export class SecretsEnv {
  /** 32 random bytes, base64 (`openssl rand -base64 32`). Required when NODE_ENV=production. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/_-]{43}=?$/, { message: 'SECRETS_ENCRYPTION_KEY must be 32 bytes in base64' })
  SECRETS_ENCRYPTION_KEY?: string;

  @IsOptional()
  NODE_ENV?: string;
}

export function secretCipherFromEnv(env: Record<string, unknown> = process.env): SecretCipher {
  const config = validateConfig(SecretsEnv, env);
  if (config.SECRETS_ENCRYPTION_KEY) return new SecretCipher(Buffer.from(config.SECRETS_ENCRYPTION_KEY, 'base64'));
  if (config.NODE_ENV === 'production') {
    throw new Error('Invalid configuration:\n  SECRETS_ENCRYPTION_KEY: required when NODE_ENV=production');
  }
  new Logger('SecretsModule').warn(
    'SECRETS_ENCRYPTION_KEY is not set: using the development key (never in production)',
  );
  return new SecretCipher(createHash('sha256').update('crm-development-secrets-key').digest());
}

@Global()
@Module({
  providers: [{ provide: SecretCipher, useFactory: () => secretCipherFromEnv() }],
  exports: [SecretCipher],
})
export class SecretsModule {}
