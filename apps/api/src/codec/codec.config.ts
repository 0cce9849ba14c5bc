import { registerAs } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { validateConfig } from '@app/shared';

export class CodecEnv {
  /** Browser origins (the Temporal UI) allowed to call the codec endpoint, comma-separated. */
  @IsOptional()
  @IsString()
  TEMPORAL_CODEC_CORS_ORIGINS?: string;
}

export const codecConfig = registerAs('codec', () => {
  const env = validateConfig(CodecEnv, process.env);
  return { corsOrigins: parseOrigins(env.TEMPORAL_CODEC_CORS_ORIGINS) };
});
export type CodecConfig = ReturnType<typeof codecConfig>;

/** `https://temporal.example.com,http://localhost:8233`: each an origin (scheme, host, port), as the
 *  browser sends it in `Origin`, without a path or a trailing slash. */
function parseOrigins(raw: string | undefined): string[] {
  if (!raw?.trim()) return [];
  return raw.split(',').map((entry) => {
    const value = entry.trim();
    let origin: string | undefined;
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (origin !== value) {
      throw new Error(
        `Invalid configuration:\n  TEMPORAL_CODEC_CORS_ORIGINS: "${value}" is not an origin like https://temporal.example.com (http or https, no path, no trailing slash)`,
      );
    }
    return origin;
  });
}
