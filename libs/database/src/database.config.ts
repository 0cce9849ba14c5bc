import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { validateConfig } from '@app/shared';

export class DatabaseEnv {
  /** The application role (crm_app): not the tables' owner, so row-level security applies to it. */
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// connection URL' })
  DATABASE_URL!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 20;

  @IsOptional()
  @IsString()
  DATABASE_SCHEMA?: string;
}

export const databaseConfig = registerAs('database', () => {
  const env = validateConfig(DatabaseEnv, process.env);
  return { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE };
});
export type DatabaseConfig = ReturnType<typeof databaseConfig>;

/** What `npm run migrate` reads: the schema owner's connection, falling back to DATABASE_URL for a
 *  deployment that still runs everything as one role. */
export class MigrationEnv {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_MIGRATION_URL must be a postgres:// connection URL' })
  DATABASE_MIGRATION_URL?: string;

  @ValidateIf((env: MigrationEnv) => env.DATABASE_MIGRATION_URL === undefined)
  @Matches(/^postgres(ql)?:\/\//, {
    message: 'DATABASE_MIGRATION_URL (or DATABASE_URL) must be a postgres:// connection URL',
  })
  DATABASE_URL?: string;
}
