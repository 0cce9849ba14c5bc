import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { type Cidr, IsCidrList, parseCidrList, validateConfig } from '@app/shared';

export class ChannelEnv {
  /** Longest wait for one WAHA HTTP call (answer headers and body), in milliseconds. */
  @IsOptional() @IsInt() @Min(100) @Max(300_000)
  WAHA_HTTP_TIMEOUT_MS: number = 10_000;

  /** Comma-separated CIDRs (or addresses) a channel's WAHA server may be at although they are not
   *  public, e.g. `10.20.0.0/16` for a WAHA inside the cluster. Empty: only public addresses (the
   *  same SSRF policy as webhook endpoints, with its own list). */
  @IsOptional() @IsString() @IsCidrList()
  WAHA_ALLOWED_CIDRS?: string;
}

export interface ChannelConfig {
  wahaHttpTimeoutMs: number;
  wahaAllowedCidrs: Cidr[];
}

export const channelConfig = registerAs('channel', (): ChannelConfig => {
  const env = validateConfig(ChannelEnv, process.env);
  return { wahaHttpTimeoutMs: env.WAHA_HTTP_TIMEOUT_MS, wahaAllowedCidrs: parseCidrList(env.WAHA_ALLOWED_CIDRS) };
});
