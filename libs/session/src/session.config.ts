import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ConfigValidationError, validateConfig } from '@app/shared';
import { MAX_SESSION_TIMEOUT_SECONDS, MIN_SESSION_TIMEOUT_SECONDS } from './domain/session-timeout';

export class SessionEnv {
  /** Inactivity timeout of a session when neither its channel nor its tenant sets one. */
  @IsOptional()
  @IsInt()
  @Min(MIN_SESSION_TIMEOUT_SECONDS)
  @Max(MAX_SESSION_TIMEOUT_SECONDS)
  SESSION_DEFAULT_TIMEOUT_SECONDS: number = 1_800;

  /** Warning lead when the channel sets none; unset means no warning. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SESSION_TIMEOUT_SECONDS)
  SESSION_DEFAULT_WARNING_LEAD_SECONDS?: number;
}

export const sessionConfig = registerAs('session', () => {
  const env = validateConfig(SessionEnv, process.env);
  const lead = env.SESSION_DEFAULT_WARNING_LEAD_SECONDS ?? null;
  if (lead !== null && lead >= env.SESSION_DEFAULT_TIMEOUT_SECONDS) {
    throw new ConfigValidationError(
      'Invalid configuration:\n  SESSION_DEFAULT_WARNING_LEAD_SECONDS: must be less than SESSION_DEFAULT_TIMEOUT_SECONDS',
    );
  }
  return { defaultTimeoutSeconds: env.SESSION_DEFAULT_TIMEOUT_SECONDS, defaultWarningLeadSeconds: lead };
});
export type SessionConfig = ReturnType<typeof sessionConfig>;
