import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateConfig } from '@app/shared';

export class ChannelEnv {
  /** Longest wait for one WAHA HTTP call (answer headers and body), in milliseconds. */
  @IsOptional() @IsInt() @Min(100) @Max(300_000)
  WAHA_HTTP_TIMEOUT_MS: number = 10_000;
}

export const channelConfig = registerAs('channel', () => {
  const env = validateConfig(ChannelEnv, process.env);
  return { wahaHttpTimeoutMs: env.WAHA_HTTP_TIMEOUT_MS };
});
export type ChannelConfig = ReturnType<typeof channelConfig>;
