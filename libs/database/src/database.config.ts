import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { validateConfig } from '@app/shared';

export class DatabaseEnv {
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// connection URL' })
  DATABASE_URL!: string;

  @IsOptional() @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE: number = 20;

  @IsOptional() @IsString()
  DATABASE_SCHEMA?: string;
}

export const databaseConfig = registerAs('database', () => {
  const env = validateConfig(DatabaseEnv, process.env);
  return { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE };
});
export type DatabaseConfig = ReturnType<typeof databaseConfig>;
