import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { validateConfig } from '@app/shared';

export class ApiEnv {
  @IsOptional() @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  /** When set, a "Dev tenant" owning this API key is created at start if the key is unknown. */
  @IsOptional() @IsString() @MinLength(16)
  DEV_API_KEY?: string;
}

export const apiConfig = registerAs('api', () => {
  const env = validateConfig(ApiEnv, process.env);
  return { port: env.PORT, devApiKey: env.DEV_API_KEY };
});
export type ApiConfig = ReturnType<typeof apiConfig>;
