import { ModuleMetadata } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test, TestingModule } from '@nestjs/testing';
import { DatabaseModule } from '@app/database';
import { SecretsModule } from '@app/shared';
import { OutboxModule } from '@app/outbox';
import { TenantModule, TenantService } from '@app/tenant';
import { createTestDatabase } from './database';

/** A Nest context on a fresh database cloned from the migrated template: platform modules plus
 *  `imports`. Set `env` for config the modules read at start. */
export async function createTestContext(
  imports: ModuleMetadata['imports'] = [],
  env: Record<string, string> = {},
  providers: ModuleMetadata['providers'] = [],
): Promise<{ moduleRef: TestingModule; databaseUrl: string }> {
  const databaseUrl = await createTestDatabase();
  Object.assign(process.env, { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '10', ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
      SecretsModule,
      DatabaseModule,
      OutboxModule,
      TenantModule,
      ...(imports ?? []),
    ],
    providers,
  }).compile();
  await moduleRef.init();
  return { moduleRef, databaseUrl };
}

export async function createTenant(
  moduleRef: TestingModule,
  name = 'Acme',
): Promise<{ tenantId: string; apiKey: string }> {
  const issued = await moduleRef.get(TenantService).createTenant(name);
  return { tenantId: issued.tenant.id, apiKey: issued.apiKey };
}

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
