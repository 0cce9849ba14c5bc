import { randomUUID } from 'node:crypto';
import { type ModuleMetadata } from '@nestjs/common';
import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ContactModule, CreateContactHandler } from '@app/contact';
import { createTenant, createTestContext } from '../../../../test/support/nest';
import { SessionModule } from '../session.module';
import { ownerView } from '../../../../test/support/database';

export interface SessionOutboxRow {
  id: string;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

export interface SessionTestContext {
  moduleRef: TestingModule;
  db: DataSource;
  /** A new tenant; returns its id. */
  newTenant(name?: string): Promise<string>;
  /** A new contact of the tenant, created through the Contact context; returns its id. */
  newContact(tenantId: string): Promise<string>;
  /** A new WAHA channel of the tenant, inserted as a plain row; returns its id. */
  newChannel(tenantId: string): Promise<string>;
  /** Outbox rows raised for one aggregate, oldest first. */
  outboxRows(aggregateId: string): Promise<SessionOutboxRow[]>;
}

let phoneCounter = 0;

/** The Session and Contact contexts on a fresh database cloned from the migrated template, wired as
 *  the apps wire them (config, database, outbox, tenant modules). Close `moduleRef` in afterAll. */
export async function createSessionTestContext(
  imports: ModuleMetadata['imports'] = [],
  env: Record<string, string> = {},
): Promise<SessionTestContext> {
  const { moduleRef } = await createTestContext([SessionModule, ContactModule, ...(imports ?? [])], env);
  const db = await ownerView(moduleRef.get(DataSource));
  const contacts = moduleRef.get(CreateContactHandler, { strict: false });
  return {
    moduleRef,
    db,
    newTenant: async (name = 'Sessions tenant') => (await createTenant(moduleRef, name)).tenantId,
    newContact: async (tenantId) => {
      phoneCounter += 1;
      const phone = `5511${String(process.pid % 1000).padStart(3, '0')}${String(phoneCounter).padStart(6, '0')}`;
      return (await contacts.execute({ tenantId, phone, name: `Contact ${phoneCounter}` })).id;
    },
    newChannel: async (tenantId) => {
      const id = randomUUID();
      const now = new Date();
      await db.query(
        `INSERT INTO channels (id, tenant_id, name, waha_base_url, waha_session, webhook_secret_enc, created_at, updated_at)
         VALUES ($1, $2, $3, 'http://127.0.0.1:3000', 'default', 'v1.test.secret.value', $4, $4)`,
        [id, tenantId, `channel-${id}`, now],
      );
      return id;
    },
    outboxRows: (aggregateId) =>
      db.query(
        `SELECT id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at
           FROM outbox_events WHERE aggregate_id = $1 ORDER BY occurred_at, created_at`,
        [aggregateId],
      ),
  };
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
