import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '@app/shared';
import {
  Message,
  MessageModule,
  MessageNotFoundError,
  MessageRepository,
  PendingMessageAckRepository,
} from '@app/message';
import { type SeededConversation, newMessageInput, seedConversation, waMessageId } from '@app/message/testing';
import { createTenant, createTestContext, eventually } from '../../../../../test/support/nest';
import { ownerView } from '../../../../../test/support/database';

describe('TypeOrmMessageRepository (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let repository: MessageRepository;
  let unitOfWork: UnitOfWork;
  let conv: SeededConversation;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([MessageModule]));
    db = await ownerView(moduleRef.get(DataSource));
    repository = moduleRef.get(MessageRepository, { strict: false });
    unitOfWork = moduleRef.get(UnitOfWork);
    conv = await seedConversation(db, (await createTenant(moduleRef, 'Repo')).tenantId);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const newMessage = (
    overrides: Parameters<typeof newMessageInput>[0] = {},
    at = new Date('2026-03-10T13:02:31.123Z'),
  ) =>
    Message.create(
      newMessageInput({
        tenantId: conv.tenantId,
        sessionId: conv.sessionId,
        contactId: conv.contactId,
        channelId: conv.channelId,
        ...overrides,
      }),
      at,
    );

  it('reads back exactly what it stored, jsonb and dates included', async () => {
    const message = newMessage({
      direction: 'outbound',
      externalId: waMessageId('outbound'),
      type: 'location',
      text: null,
      ackLevel: 2,
      metadata: {
        source: 'api',
        location: { latitude: -23.561684, longitude: -46.655981, name: 'Av. Paulista', live: false },
        vCards: ['BEGIN:VCARD\nVERSION:3.0\nFN:Ana Souza\nEND:VCARD'],
        adReferral: { title: 'Plano Pro Acme - 30% off no primeiro mês' },
      },
    });
    expect(await repository.insertIfAbsent(message)).toBe(true);
    const loaded = await repository.findById(conv.tenantId, message.id);
    expect(loaded?.toProps()).toEqual(message.toProps());
    expect(loaded?.pullEvents()).toEqual([]);
    expect((await repository.findByExternalId(conv.tenantId, conv.channelId, message.externalId))?.id).toBe(message.id);
    expect(await repository.insertIfAbsent(newMessage({ direction: 'outbound', externalId: message.externalId }))).toBe(
      false,
    );
  });

  it('answers null or empty (not a database error) for ids and tenants that are not UUIDs', async () => {
    expect(await repository.findById('not-a-uuid', conv.sessionId)).toBeNull();
    expect(await repository.findById(conv.tenantId, 'not-a-uuid')).toBeNull();
    expect(await repository.findByIds(conv.tenantId, ['nope'])).toEqual([]);
    expect(await repository.list(conv.tenantId, { limit: 5, sessionId: 'nope' })).toEqual([]);
  });

  it('stores changes of the mutable state, and reports a vanished row', async () => {
    const message = newMessage({ direction: 'outbound', externalId: waMessageId('outbound'), ackLevel: 1 });
    await repository.insertIfAbsent(message);
    message.applyAck(3, new Date('2026-03-10T13:03:00Z'), new Date('2026-03-10T13:03:01Z'));
    message.react(
      { reactorId: '5511999990001@c.us', emoji: '👍', reactionExternalId: 'R1', at: new Date('2026-03-10T13:03:02Z') },
      new Date(),
    );
    await repository.update(message);
    expect((await repository.findById(conv.tenantId, message.id))?.toProps()).toEqual(message.toProps());

    expect(await repository.delete(message)).toBe(true);
    expect(await repository.delete(message)).toBe(false);
    await expect(repository.update(message)).rejects.toBeInstanceOf(MessageNotFoundError);
  });

  it('lists in (createdAt DESC, id DESC) order, ties broken by id, after a keyset position', async () => {
    const other = await seedConversation(db, conv.tenantId, { channelId: conv.channelId });
    const same = new Date('2025-01-01T00:00:00.000Z');
    const input = () => ({
      sessionId: other.sessionId,
      contactId: other.contactId,
      externalId: waMessageId('inbound'),
    });
    const tied = [newMessage(input(), same), newMessage(input(), same), newMessage(input(), same)];
    const later = newMessage(input(), new Date('2025-01-02T00:00:00.000Z'));
    for (const m of [...tied, later]) await repository.insertIfAbsent(m);

    const expected = [
      later.id,
      ...tied
        .map((m) => m.id)
        .sort()
        .reverse(),
    ];
    expect(
      (await repository.list(conv.tenantId, { limit: 10, sessionId: other.sessionId })).map((r) => r.item.id),
    ).toEqual(expected);
    const after = await repository.list(conv.tenantId, {
      limit: 10,
      sessionId: other.sessionId,
      after: { createdAt: same.toISOString(), id: expected[1]! },
    });
    expect(after.map((r) => r.item.id)).toEqual(expected.slice(2));
  });

  it('insists on a unit of work for the advisory lock, and holds it until the unit of work ends', async () => {
    await expect(repository.lockWaMessage(conv.channelId, 'false_x@c.us_A')).rejects.toThrow('inside a unit of work');

    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstLocked!: () => void;
    const locked = new Promise<void>((resolve) => (firstLocked = resolve));
    const first = unitOfWork.run(async () => {
      await repository.lockWaMessage(conv.channelId, 'false_x@c.us_A');
      firstLocked();
      await firstHolds;
      order.push('first done');
    });
    await locked;
    const second = unitOfWork.run(async () => {
      await repository.lockWaMessage(conv.channelId, 'false_x@c.us_A');
      order.push('second locked');
    });
    const unrelated = unitOfWork.run(async () => {
      await repository.lockWaMessage(conv.channelId, 'false_x@c.us_B');
      order.push('unrelated locked');
    });
    await unrelated;
    // The second unit of work is queued behind the first: PostgreSQL shows its lock as not granted.
    await eventually(
      async () => {
        const [{ waiting }] = await db.query(
          `SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
        );
        return waiting > 0 ? true : undefined;
      },
      10_000,
      'second lock request waiting',
    );
    expect(order).toEqual(['unrelated locked']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['unrelated locked', 'first done', 'second locked']);
  });

  it('keeps one pending ack per message and hands it out once', async () => {
    const pending = moduleRef.get(PendingMessageAckRepository, { strict: false });
    const waKey = waMessageId('outbound');
    await unitOfWork.run(() =>
      pending.save({ channelId: conv.channelId, waKey, ackLevel: 2, receivedAt: new Date('2026-03-10T13:02:10Z') }),
    );
    await unitOfWork.run(() =>
      pending.save({ channelId: conv.channelId, waKey, ackLevel: 3, receivedAt: new Date('2026-03-10T13:02:20Z') }),
    );
    expect(await pending.find(conv.channelId, waKey)).toEqual({
      channelId: conv.channelId,
      waKey,
      ackLevel: 3,
      receivedAt: new Date('2026-03-10T13:02:20Z'),
    });
    expect((await unitOfWork.run(() => pending.take(conv.channelId, waKey)))?.ackLevel).toBe(3);
    expect(await unitOfWork.run(() => pending.take(conv.channelId, waKey))).toBeNull();
  });
});
