import { registerAs } from '@nestjs/config';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import { parseBooleanEnv, validateConfig } from '@app/shared';
import { parsePayloadKeys } from './payload-encryption';

export class TemporalEnv {
  @IsOptional()
  @Matches(/^[^:\s]+:\d+$/, { message: 'TEMPORAL_ADDRESS must be host:port' })
  TEMPORAL_ADDRESS: string = 'localhost:7233';

  @IsOptional()
  @IsString()
  TEMPORAL_NAMESPACE: string = 'default';

  /** Temporal Cloud API key. */
  @IsOptional()
  @IsString()
  TEMPORAL_API_KEY?: string;

  /** mTLS client certificate and key files; a CA file for private CAs. */
  @IsOptional() @IsString() TEMPORAL_TLS_CERT_PATH?: string;
  @IsOptional() @IsString() TEMPORAL_TLS_KEY_PATH?: string;
  @IsOptional() @IsString() TEMPORAL_TLS_CA_PATH?: string;
  @IsOptional() @IsString() TEMPORAL_TLS_SERVER_NAME?: string;

  /** Force TLS without client certificates (Temporal Cloud with an API key uses TLS by default). */
  @IsOptional()
  @Transform(({ obj, key }) => parseBooleanEnv(obj[key]))
  @IsBoolean()
  TEMPORAL_TLS?: boolean;

  /** Register the namespace at worker start when it does not exist. Off for Temporal Cloud. */
  @IsOptional()
  @Transform(({ obj, key }) => parseBooleanEnv(obj[key]))
  @IsBoolean()
  TEMPORAL_ENSURE_NAMESPACE?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  TEMPORAL_NAMESPACE_RETENTION_DAYS: number = 7;

  /** Payload encryption keys, `<id>:<base64 32 bytes>` comma-separated, current first (docs/payload-encryption.md). */
  @IsOptional()
  @IsString()
  TEMPORAL_PAYLOAD_KEYS?: string;
}

export const temporalConfig = registerAs('temporal', () => {
  const env = validateConfig(TemporalEnv, process.env);
  if (Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
    throw new Error('Invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  }
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    apiKey: env.TEMPORAL_API_KEY,
    tls: {
      enabled: env.TEMPORAL_TLS ?? Boolean(env.TEMPORAL_API_KEY || env.TEMPORAL_TLS_CERT_PATH),
      certPath: env.TEMPORAL_TLS_CERT_PATH,
      keyPath: env.TEMPORAL_TLS_KEY_PATH,
      caPath: env.TEMPORAL_TLS_CA_PATH,
      serverName: env.TEMPORAL_TLS_SERVER_NAME,
    },
    ensureNamespace: env.TEMPORAL_ENSURE_NAMESPACE ?? !env.TEMPORAL_API_KEY,
    namespaceRetentionDays: env.TEMPORAL_NAMESPACE_RETENTION_DAYS,
    payloadKeys: parsePayloadKeys(env.TEMPORAL_PAYLOAD_KEYS),
  };
});
export type TemporalConfig = ReturnType<typeof temporalConfig>;
