import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ContactModule } from '@app/contact';
import { DatabaseModule } from '@app/database';
import { OutboxModule } from '@app/outbox';
import { TenantModule, TenantService } from '@app/tenant';
import { createTestDatabase, ownerView } from './database';

export interface ContactTestContext {
  moduleRef: TestingModule;
  db: DataSource;
  /** Creates a tenant through TenantService and returns its id. */
  createTenant(name: string): Promise<string>;
}

/** The Contact context wired as the apps wire it (config, database, outbox, tenant modules), on a
 *  fresh database cloned from the migrated template. Close `moduleRef` in afterAll. */
export async function createContactTestContext(): Promise<ContactTestContext> {
  process.env.DATABASE_URL = await createTestDatabase();
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
      DatabaseModule,
      OutboxModule,
      TenantModule,
      ContactModule,
    ],
  }).compile();
  await moduleRef.init();
  const tenants = moduleRef.get(TenantService);
  return {
    moduleRef,
    db: await ownerView(moduleRef.get(DataSource)),
    createTenant: async (name) => (await tenants.createTenant(name)).tenant.id,
  };
}

export interface OutboxRow {
  id: string;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  status: string;
}

/** Outbox rows raised for one aggregate, oldest first. */
export function outboxRowsFor(db: DataSource, aggregateId: string): Promise<OutboxRow[]> {
  return db.query(
    `SELECT id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at, status
       FROM outbox_events WHERE aggregate_id = $1 ORDER BY occurred_at, created_at`,
    [aggregateId],
  );
}
