import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConflictError, UnitOfWork } from '@app/shared';
import {
  Channel,
  ChannelModule,
  ChannelNotFoundError,
  ChannelRepository,
  ChannelVersionConflictError,
  DuplicateChannelNameError,
  type EncryptedSecret,
} from '@app/channel';
import { createTenant, createTestContext } from '../../../../../test/support/nest';
import { ownerView } from '../../../../../test/support/database';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('TypeOrmChannelRepository (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let repository: ChannelRepository;
  let unitOfWork: UnitOfWork;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([ChannelModule]));
    db = await ownerView(moduleRef.get(DataSource));
    repository = moduleRef.get(ChannelRepository, { strict: false });
    unitOfWork = moduleRef.get(UnitOfWork);
    tenantA = (await createTenant(moduleRef, 'Repo A')).tenantId;
    tenantB = (await createTenant(moduleRef, 'Repo B')).tenantId;
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  let counter = 0;
  const newChannel = (tenantId: string, at = new Date('2025-11-26T10:00:00.123Z'), name?: string) => {
    counter += 1;
    return Channel.create(
      {
        tenantId,
        name: name ?? `Repo channel ${counter}`,
        wahaBaseUrl: 'http://waha:3000',
        encryptedWebhookSecret: `v1.opaque-${counter}` as EncryptedSecret,
      },
      at,
    );
  };

  it('reads back exactly what it stored', async () => {
    const channel = Channel.create(
      {
        tenantId: tenantA,
        name: 'Round trip',
        wahaBaseUrl: 'https://waha.example.com/base',
        wahaSession: 'sales',
        encryptedWahaApiKey: 'v1.key' as EncryptedSecret,
        encryptedWebhookSecret: 'v1.secret' as EncryptedSecret,
        allowGroups: true,
        sessionTimeoutSeconds: 3600,
        sessionWarningLeadSeconds: 600,
        sessionWarningText: 'Still there?',
        debounceWindowMs: 2500,
        inboundMode: 'direct',
      },
      new Date('2025-11-26T10:00:00.123Z'),
    );
    channel.recordWahaStatus('WORKING', new Date('2025-11-26T10:00:01.456Z'), new Date('2025-11-26T10:00:02.000Z'));
    await repository.insert(channel);
    expect(channel.hasUnsavedChanges).toBe(false);

    const loaded = await repository.findById(tenantA, channel.id);
    expect(loaded?.toProps()).toEqual(channel.toProps());
    expect(loaded?.pullEvents()).toEqual([]);
    expect((await repository.findByIdInAnyTenant(channel.id))?.toProps()).toEqual(channel.toProps());
  });

  it('scopes tenant reads to the tenant, and answers null for ids that are not UUIDs', async () => {
    const channel = newChannel(tenantA);
    await repository.insert(channel);
    expect(await repository.findById(tenantB, channel.id)).toBeNull();
    expect((await repository.list(tenantB, { limit: 100 })).map((r) => r.item.id)).not.toContain(channel.id);
    expect((await repository.findByIdInAnyTenant(channel.id))?.tenantId).toBe(tenantA);
    expect(await repository.findById(tenantA, 'not-a-uuid')).toBeNull();
    expect(await repository.findByIdInAnyTenant('not-a-uuid')).toBeNull();
    expect(await repository.list('not-a-uuid', { limit: 10 })).toEqual([]);
  });

  it('translates the name unique index into DuplicateChannelNameError, per tenant and ignoring case', async () => {
    await repository.insert(newChannel(tenantA, undefined, 'Unique Name'));
    const error = await rejection(repository.insert(newChannel(tenantA, undefined, 'unique NAME')));
    expect(error).toBeInstanceOf(DuplicateChannelNameError);
    expect(error).toBeInstanceOf(ConflictError);
    await repository.insert(newChannel(tenantB, undefined, 'Unique Name'));
  });

  it('detects a concurrent change with the version check and keeps the first writer', async () => {
    const channel = newChannel(tenantA);
    await repository.insert(channel);
    const readerOne = (await repository.findById(tenantA, channel.id))!;
    const readerTwo = (await repository.findById(tenantA, channel.id))!;

    readerOne.update({ name: 'First writer' }, new Date());
    await repository.update(readerOne);
    readerTwo.update({ name: 'Second writer' }, new Date());
    const error = await rejection(repository.update(readerTwo));
    expect(error).toBeInstanceOf(ChannelVersionConflictError);
    expect((error as ChannelVersionConflictError).code).toBe('CHANNEL.VERSION_CONFLICT');
    expect((await db.query(`SELECT name, version FROM channels WHERE id = $1`, [channel.id]))[0]).toEqual({
      name: 'First writer',
      version: 2,
    });
  });

  it('reports a channel deleted meanwhile as not found', async () => {
    const channel = newChannel(tenantA);
    await repository.insert(channel);
    await db.query(`DELETE FROM channels WHERE id = $1`, [channel.id]);
    channel.update({ name: 'Too late' }, new Date());
    expect(await rejection(repository.update(channel))).toBeInstanceOf(ChannelNotFoundError);
  });

  it('locks the row for the unit of work with findByIdForUpdate, and refuses to run outside one', async () => {
    const channel = newChannel(tenantA);
    await repository.insert(channel);
    expect(((await rejection(repository.findByIdForUpdate(tenantA, channel.id))) as Error).message).toMatch(
      /unit of work/,
    );

    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstLocked!: () => void;
    const locked = new Promise<void>((resolve) => (firstLocked = resolve));

    const first = unitOfWork.run(async () => {
      await repository.findByIdForUpdate(tenantA, channel.id);
      order.push('first locked');
      firstLocked();
      await firstHolds;
      order.push('first done');
    });
    await locked;
    const second = unitOfWork.run(async () => {
      await repository.findByIdForUpdate(tenantA, channel.id);
      order.push('second locked');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first locked', 'first done', 'second locked']);
  });

  it('lists in (createdAt DESC, id DESC) order after a keyset position, ties broken by id', async () => {
    const tenant = (await createTenant(moduleRef, 'Repo paging')).tenantId;
    const at = new Date('2025-01-01T00:00:00.000Z');
    const same = [newChannel(tenant, at), newChannel(tenant, at), newChannel(tenant, at)];
    const later = newChannel(tenant, new Date('2025-01-02T00:00:00.000Z'));
    for (const c of [...same, later]) await repository.insert(c);

    const expected = [
      later.id,
      ...same
        .map((c) => c.id)
        .sort()
        .reverse(),
    ];
    expect((await repository.list(tenant, { limit: 100 })).map((r) => r.item.id)).toEqual(expected);
    expect((await repository.list(tenant, { limit: 2 })).map((r) => r.item.id)).toEqual(expected.slice(0, 2));
    const after = await repository.list(tenant, {
      limit: 100,
      after: { createdAt: at.toISOString(), id: expected[1]! },
    });
    expect(after.map((r) => r.item.id)).toEqual(expected.slice(2));
  });
});
