import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ValidationError } from '@app/shared';
import {
  CompleteMessageGroupHandler,
  type CreateMessageCommand,
  CreateMessageHandler,
  GetMessageHandler,
  GetSessionMessageStatsHandler,
  ListMessagesHandler,
  MessageGroupConflictError,
  MessageModule,
  MessageNotFoundError,
  type MessageView,
  RecordAdConversionHandler,
} from '@app/message';
import { type SeededConversation, newMessageInput, seedConversation, waMessageId } from '@app/message/testing';
import { createTenant, createTestContext } from '../../../../test/support/nest';
import { ownerView } from '../../../../test/support/database';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

const at = (iso: string) => new Date(iso);

describe('Message queries, ad conversions and message groups (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let create: CreateMessageHandler;
  let get: GetMessageHandler;
  let list: ListMessagesHandler;
  let stats: GetSessionMessageStatsHandler;
  let recordConversion: RecordAdConversionHandler;
  let completeGroup: CompleteMessageGroupHandler;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([MessageModule]));
    db = await ownerView(moduleRef.get(DataSource));
    create = moduleRef.get(CreateMessageHandler);
    get = moduleRef.get(GetMessageHandler);
    list = moduleRef.get(ListMessagesHandler);
    stats = moduleRef.get(GetSessionMessageStatsHandler);
    recordConversion = moduleRef.get(RecordAdConversionHandler);
    completeGroup = moduleRef.get(CompleteMessageGroupHandler);
    tenantA = (await createTenant(moduleRef, 'Tenant A')).tenantId;
    tenantB = (await createTenant(moduleRef, 'Tenant B')).tenantId;
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const add = async (on: SeededConversation, overrides: Partial<CreateMessageCommand> = {}): Promise<MessageView> =>
    (
      await create.execute(
        newMessageInput({
          tenantId: on.tenantId,
          sessionId: on.sessionId,
          contactId: on.contactId,
          channelId: on.channelId,
          ...overrides,
        }),
      )
    ).message;

  const eventsOf = (type: string, aggregateId: string) =>
    db.query(`SELECT aggregate_type, tenant_id, payload FROM outbox_events WHERE type = $1 AND aggregate_id = $2`, [
      type,
      aggregateId,
    ]);

  describe('GetSessionMessageStats', () => {
    it('counts by direction and finds the first, last, first inbound and first response times', async () => {
      const conv = await seedConversation(db, tenantA);
      // An outbound greeting before the contact writes does not count as a response.
      await add(conv, {
        direction: 'outbound',
        externalId: waMessageId('outbound'),
        sentAt: at('2026-03-10T12:59:00Z'),
      });
      await add(conv, { externalId: waMessageId('inbound'), sentAt: at('2026-03-10T13:00:00Z') });
      await add(conv, { externalId: waMessageId('inbound'), sentAt: at('2026-03-10T13:00:40Z') });
      // An automated timeout warning is not a person's response either (but it is an outbound message).
      await add(conv, {
        direction: 'outbound',
        externalId: waMessageId('outbound'),
        sentAt: at('2026-03-10T13:01:00Z'),
        metadata: { source: 'api', automated: 'session_timeout_warning' },
      });
      await add(conv, {
        direction: 'outbound',
        externalId: waMessageId('outbound'),
        sentAt: at('2026-03-10T13:01:35Z'),
      });
      await add(conv, {
        direction: 'outbound',
        externalId: waMessageId('outbound'),
        sentAt: at('2026-03-10T13:05:00Z'),
      });
      await add(conv, { externalId: waMessageId('inbound'), sentAt: at('2026-03-10T13:02:30Z') });
      // Another session of the same contact and channel does not leak in.
      const other = await seedConversation(db, tenantA, { channelId: conv.channelId, contactId: conv.contactId });
      await add(other, { externalId: waMessageId('inbound'), sentAt: at('2026-03-10T12:00:00Z') });

      expect(await stats.execute({ tenantId: tenantA, sessionId: conv.sessionId })).toEqual({
        inbound: 3,
        outbound: 4,
        firstMessageAt: at('2026-03-10T12:59:00Z'),
        lastMessageAt: at('2026-03-10T13:05:00Z'),
        firstInboundAt: at('2026-03-10T13:00:00Z'),
        firstOutboundAfterInboundAt: at('2026-03-10T13:01:35Z'),
      });
    });

    it('answers zeros and nulls for a session without messages, without a response, or of another tenant', async () => {
      const empty = await seedConversation(db, tenantA);
      const nothing = {
        inbound: 0,
        outbound: 0,
        firstMessageAt: null,
        lastMessageAt: null,
        firstInboundAt: null,
        firstOutboundAfterInboundAt: null,
      };
      expect(await stats.execute({ tenantId: tenantA, sessionId: empty.sessionId })).toEqual(nothing);

      const unanswered = await seedConversation(db, tenantA);
      await add(unanswered, { externalId: waMessageId('inbound'), sentAt: at('2026-03-10T13:00:00Z') });
      expect(await stats.execute({ tenantId: tenantA, sessionId: unanswered.sessionId })).toMatchObject({
        inbound: 1,
        outbound: 0,
        firstInboundAt: at('2026-03-10T13:00:00Z'),
        firstOutboundAfterInboundAt: null,
      });
      expect(await stats.execute({ tenantId: tenantB, sessionId: unanswered.sessionId })).toEqual(nothing);
      expect(((await rejection(stats.execute({ tenantId: tenantA, sessionId: 'x' }))) as ValidationError).field).toBe(
        'sessionId',
      );
    });
  });

  describe('RecordAdConversion', () => {
    const referral = {
      sourceType: 'ad',
      sourceId: '120210000000000001',
      sourceUrl: 'https://fb.me/1AbCdEfGhIjK',
      ctwaClid: 'Afc3nYt8WqKx2mP0dLr7sVb1eZg9hJ4oN6uI5yT0aQwXcEr2',
      title: 'Plano Pro Acme - 30% off no primeiro mês',
      body: 'Fale com a gente pelo WhatsApp',
      entryPoint: 'ctwa_ad',
      raw: {
        externalAdReply: { sourceID: '120210000000000001', showAdAttribution: true },
        entryPointConversionApp: 'facebook',
      },
    };

    it('records one conversion per message with one tracking.ad_conversion, also under concurrency', async () => {
      const conv = await seedConversation(db, tenantA);
      const message = await add(conv, { externalId: waMessageId('inbound'), metadata: { adReferral: referral } });
      const command = {
        tenantId: tenantA,
        messageId: message.id,
        contactId: conv.contactId,
        sessionId: conv.sessionId,
        channelId: conv.channelId,
        referral,
      };

      const results = await Promise.all(Array.from({ length: 5 }, () => recordConversion.execute(command)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const conversion = results.find((r) => r.created)!.conversion;
      for (const result of results) expect(result.conversion).toEqual(conversion);
      expect(conversion).toMatchObject({
        messageId: message.id,
        sourceId: '120210000000000001',
        ctwaClid: referral.ctwaClid,
        entryPoint: 'ctwa_ad',
        raw: referral.raw,
      });
      expect(await recordConversion.execute(command)).toEqual({ conversion, created: false });

      const events = await eventsOf('tracking.ad_conversion', conversion.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        aggregate_type: 'ad_conversion',
        tenant_id: tenantA,
        payload: {
          id: conversion.id,
          messageId: message.id,
          contactId: conv.contactId,
          sessionId: conv.sessionId,
          sourceId: '120210000000000001',
        },
      });
      expect(
        await db.query(`SELECT count(*)::int AS n FROM ad_conversions WHERE message_id = $1`, [message.id]),
      ).toEqual([{ n: 1 }]);
      // The message itself keeps the referral in its metadata.
      expect((await get.execute({ tenantId: tenantA, id: message.id })).metadata.adReferral).toMatchObject({
        ctwaClid: referral.ctwaClid,
      });
    });

    it("refuses unknown messages, other tenants' messages and references that are not the message's own", async () => {
      const conv = await seedConversation(db, tenantA);
      const message = await add(conv, { externalId: waMessageId('inbound') });
      const command = {
        tenantId: tenantA,
        messageId: message.id,
        contactId: conv.contactId,
        sessionId: conv.sessionId,
        channelId: conv.channelId,
        referral,
      };
      expect(
        await rejection(recordConversion.execute({ ...command, messageId: '00000000-0000-4000-8000-000000000000' })),
      ).toBeInstanceOf(MessageNotFoundError);
      expect(await rejection(recordConversion.execute({ ...command, tenantId: tenantB }))).toBeInstanceOf(
        MessageNotFoundError,
      );
      const wrongSession = await rejection(
        recordConversion.execute({ ...command, sessionId: '00000000-0000-4000-8000-000000000000' }),
      );
      expect((wrongSession as ValidationError).field).toBe('sessionId');
      expect(await db.query(`SELECT id FROM ad_conversions WHERE message_id = $1`, [message.id])).toEqual([]);
    });
  });

  describe('CompleteMessageGroup', () => {
    it('stores the group with first/last WhatsApp times and raises message.group.completed once per group id', async () => {
      const conv = await seedConversation(db, tenantA);
      const m1 = await add(conv, { externalId: waMessageId('inbound'), sentAt: at('2026-03-10T13:00:40Z') });
      const m2 = await add(conv, { externalId: waMessageId('inbound'), sentAt: at('2026-03-10T13:00:00Z') });
      const m3 = await add(conv, { externalId: waMessageId('inbound'), sentAt: at('2026-03-10T13:00:20Z') });
      const groupId = globalThis.crypto.randomUUID();
      const command = {
        tenantId: tenantA,
        sessionId: conv.sessionId,
        channelId: conv.channelId,
        messageIds: [m1.id, m2.id, m3.id, m1.id],
        at: at('2026-03-10T13:00:55Z'),
        groupId,
      };

      const [view, ...replays] = await Promise.all([
        completeGroup.execute(command),
        completeGroup.execute(command),
        completeGroup.execute(command),
      ]);
      expect(view).toEqual({
        id: groupId,
        sessionId: conv.sessionId,
        channelId: conv.channelId,
        messageIds: [m1.id, m2.id, m3.id],
        count: 3,
        firstMessageAt: '2026-03-10T13:00:00.000Z',
        lastMessageAt: '2026-03-10T13:00:40.000Z',
        completedAt: '2026-03-10T13:00:55.000Z',
      });
      for (const replay of replays) expect(replay).toEqual(view);
      expect(await completeGroup.execute(command)).toEqual(view);

      const [row] = await db.query(
        `SELECT tenant_id, message_ids, first_message_at, last_message_at FROM message_groups WHERE id = $1`,
        [groupId],
      );
      expect(row).toEqual({
        tenant_id: tenantA,
        message_ids: [m1.id, m2.id, m3.id],
        first_message_at: at('2026-03-10T13:00:00Z'),
        last_message_at: at('2026-03-10T13:00:40Z'),
      });
      const events = await eventsOf('message.group.completed', groupId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        aggregate_type: 'message_group',
        payload: {
          groupId,
          sessionId: conv.sessionId,
          messageIds: [m1.id, m2.id, m3.id],
          count: 3,
          firstMessageAt: '2026-03-10T13:00:00.000Z',
          lastMessageAt: '2026-03-10T13:00:40.000Z',
        },
      });
    });

    it('groups a message once: a later group leaves out messages an earlier group holds, and stores nothing when none is left', async () => {
      const conv = await seedConversation(db, tenantA);
      const first = await add(conv, { externalId: waMessageId('inbound') });
      const second = await add(conv, { externalId: waMessageId('inbound') });
      const base = { tenantId: tenantA, sessionId: conv.sessionId, channelId: conv.channelId, at: new Date() };
      const earlier = await completeGroup.execute({
        ...base,
        messageIds: [first.id],
        groupId: globalThis.crypto.randomUUID(),
      });

      // A repeated signal for `first` (a redelivered webhook) landed in the next window with `second`.
      const laterId = globalThis.crypto.randomUUID();
      const later = await completeGroup.execute({ ...base, messageIds: [first.id, second.id], groupId: laterId });
      expect(later).toMatchObject({ id: laterId, messageIds: [second.id], count: 1 });
      // Only the repeated message in a window: no group, no event.
      const onlyRepeatId = globalThis.crypto.randomUUID();
      expect(
        await completeGroup.execute({ ...base, messageIds: [first.id, second.id], groupId: onlyRepeatId }),
      ).toBeNull();

      const groups = await db.query(
        `SELECT id, message_ids FROM message_groups WHERE session_id = $1 ORDER BY completed_at, id`,
        [conv.sessionId],
      );
      expect(groups.map((g: { message_ids: string[] }) => g.message_ids).sort()).toEqual(
        [[first.id], [second.id]].sort(),
      );
      expect(earlier!.messageIds).toEqual([first.id]);
      expect(await eventsOf('message.group.completed', onlyRepeatId)).toEqual([]);
    });

    it('refuses unknown messages, messages of another session and a group id taken by another session', async () => {
      const conv = await seedConversation(db, tenantA);
      const other = await seedConversation(db, tenantA);
      const mine = await add(conv, { externalId: waMessageId('inbound') });
      const theirs = await add(other, { externalId: waMessageId('inbound') });
      const base = { tenantId: tenantA, sessionId: conv.sessionId, channelId: conv.channelId, at: new Date() };

      const missing = '00000000-0000-4000-8000-000000000000';
      expect(await rejection(completeGroup.execute({ ...base, messageIds: [mine.id, missing] }))).toBeInstanceOf(
        MessageNotFoundError,
      );
      expect(
        ((await rejection(completeGroup.execute({ ...base, messageIds: [mine.id, theirs.id] }))) as ValidationError)
          .field,
      ).toBe('messageIds');
      expect(
        await rejection(completeGroup.execute({ ...base, tenantId: tenantB, messageIds: [mine.id] })),
      ).toBeInstanceOf(MessageNotFoundError);
      expect(((await rejection(completeGroup.execute({ ...base, messageIds: [] }))) as ValidationError).field).toBe(
        'messageIds',
      );
      expect(
        ((await rejection(completeGroup.execute({ ...base, messageIds: ['nope'] }))) as ValidationError).field,
      ).toBe('messageIds');

      const groupId = globalThis.crypto.randomUUID();
      await completeGroup.execute({ ...base, messageIds: [mine.id], groupId });
      const taken = await rejection(
        completeGroup.execute({
          tenantId: tenantA,
          sessionId: other.sessionId,
          channelId: other.channelId,
          messageIds: [theirs.id],
          at: new Date(),
          groupId,
        }),
      );
      expect(taken).toBeInstanceOf(MessageGroupConflictError);
      expect(
        await db.query(`SELECT count(*)::int AS n FROM message_groups WHERE session_id = $1`, [other.sessionId]),
      ).toEqual([{ n: 0 }]);
    });
  });

  describe('GetMessage and ListMessages', () => {
    let convA1: SeededConversation;
    let convA2: SeededConversation;
    let convB: SeededConversation;
    const ids: Record<string, string[]> = { a1: [], a2: [], b: [] };

    beforeAll(async () => {
      const tenant = (await createTenant(moduleRef, 'Paging tenant')).tenantId;
      convA1 = await seedConversation(db, tenant);
      convA2 = await seedConversation(db, tenant, { channelId: convA1.channelId });
      convB = await seedConversation(db, tenantB);
      for (let i = 0; i < 12; i += 1)
        ids.a1!.push(
          (
            await add(convA1, {
              externalId: waMessageId(i % 3 ? 'inbound' : 'outbound'),
              direction: i % 3 ? 'inbound' : 'outbound',
            })
          ).id,
        );
      for (let i = 0; i < 5; i += 1) ids.a2!.push((await add(convA2, { externalId: waMessageId('inbound') })).id);
      ids.b!.push((await add(convB, { externalId: waMessageId('inbound') })).id);
    });

    it("never shows another tenant's message", async () => {
      const theirs = ids.b![0]!;
      expect(await rejection(get.execute({ tenantId: convA1.tenantId, id: theirs }))).toBeInstanceOf(
        MessageNotFoundError,
      );
      expect((await get.execute({ tenantId: tenantB, id: theirs })).id).toBe(theirs);
      const all = await list.execute({ tenantId: convA1.tenantId, limit: 200 });
      expect(all.data.map((m) => m.id).sort()).toEqual([...ids.a1!, ...ids.a2!].sort());
      expect((await list.execute({ tenantId: convA1.tenantId, sessionId: convB.sessionId })).data).toEqual([]);
    });

    it('filters by session, contact and channel', async () => {
      const bySession = await list.execute({ tenantId: convA1.tenantId, sessionId: convA2.sessionId });
      expect(bySession.data.map((m) => m.id).sort()).toEqual([...ids.a2!].sort());
      const byContact = await list.execute({ tenantId: convA1.tenantId, contactId: convA1.contactId, limit: 200 });
      expect(byContact.data.map((m) => m.id).sort()).toEqual([...ids.a1!].sort());
      const byChannel = await list.execute({ tenantId: convA1.tenantId, channelId: convA1.channelId, limit: 200 });
      expect(byChannel.data).toHaveLength(17);
      const combined = await list.execute({
        tenantId: convA1.tenantId,
        channelId: convA1.channelId,
        contactId: convA2.contactId,
      });
      expect(combined.data.map((m) => m.id).sort()).toEqual([...ids.a2!].sort());
    });

    it('walks every message exactly once, newest first, following nextCursor', async () => {
      const seen: MessageView[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await list.execute({ tenantId: convA1.tenantId, channelId: convA1.channelId, limit: 5, cursor });
        seen.push(...page.data);
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(4);
      expect(new Set(seen.map((m) => m.id)).size).toBe(17);
      const order = [...seen].sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      );
      expect(seen.map((m) => m.id)).toEqual(order.map((m) => m.id));
    });

    it('rejects malformed filters, limits and cursors with a ValidationError naming the field', async () => {
      for (const [query, field] of [
        [{ sessionId: 'nope' }, 'sessionId'],
        [{ contactId: '123' }, 'contactId'],
        [{ channelId: '' }, 'channelId'],
        [{ limit: 0 }, 'limit'],
        [{ limit: 201 }, 'limit'],
        [{ cursor: 'garbage' }, 'cursor'],
      ] as const) {
        const error = await rejection(list.execute({ tenantId: convA1.tenantId, ...query }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
      }
      expect(((await rejection(get.execute({ tenantId: convA1.tenantId, id: 'nope' }))) as ValidationError).field).toBe(
        'id',
      );
    });
  });
});
