import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ValidationError } from '@app/shared';
import {
  AdoptWahaMessageIdHandler,
  ApplyMessageAckHandler,
  type CreateMessageCommand,
  CreateMessageHandler,
  DeleteMessageHandler,
  GetMessageHandler,
  MessageExternalIdConflictError,
  MessageModule,
  MessageNotFoundError,
  MessageReferenceNotFoundError,
  ReactToMessageHandler,
  RecordAdConversionHandler,
  RevokeMessageHandler,
} from '@app/message';
import {
  type SeededConversation,
  newMessageInput,
  rawMessageId,
  seedConversation,
  waMessageId,
} from '@app/message/testing';
import { createTenant, createTestContext } from '../../../../test/support/nest';
import { ownerView } from '../../../../test/support/database';

interface OutboxRow {
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  tenant_id: string;
  payload: Record<string, unknown>;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('Message write use cases (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let create: CreateMessageHandler;
  let ack: ApplyMessageAckHandler;
  let revoke: RevokeMessageHandler;
  let react: ReactToMessageHandler;
  let remove: DeleteMessageHandler;
  let get: GetMessageHandler;
  let adopt: AdoptWahaMessageIdHandler;
  let tenantA: string;
  let tenantB: string;
  let conv: SeededConversation;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([MessageModule]));
    db = await ownerView(moduleRef.get(DataSource));
    create = moduleRef.get(CreateMessageHandler);
    ack = moduleRef.get(ApplyMessageAckHandler);
    revoke = moduleRef.get(RevokeMessageHandler);
    react = moduleRef.get(ReactToMessageHandler);
    remove = moduleRef.get(DeleteMessageHandler);
    get = moduleRef.get(GetMessageHandler);
    adopt = moduleRef.get(AdoptWahaMessageIdHandler);
    tenantA = (await createTenant(moduleRef, 'Tenant A')).tenantId;
    tenantB = (await createTenant(moduleRef, 'Tenant B')).tenantId;
    conv = await seedConversation(db, tenantA);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const command = (
    overrides: Partial<CreateMessageCommand> = {},
    on: SeededConversation = conv,
  ): CreateMessageCommand =>
    newMessageInput({
      tenantId: on.tenantId,
      sessionId: on.sessionId,
      contactId: on.contactId,
      channelId: on.channelId,
      ...overrides,
    });

  // A change that waited for its message's creation is dated after it, but may share its millisecond
  // (and created_at, in one transaction): a tie puts message.created first. A change dated before the
  // message it changes still fails the order checks (it did when handlers read the clock before the lock).
  const outboxFor = (aggregateId: string): Promise<OutboxRow[]> =>
    db.query(
      `SELECT type, aggregate_type, aggregate_id, tenant_id, payload FROM outbox_events WHERE aggregate_id = $1
        ORDER BY occurred_at, created_at, type <> 'message.created'`,
      [aggregateId],
    );
  const typesFor = async (aggregateId: string) => (await outboxFor(aggregateId)).map((e) => e.type);
  const heldFor = (channelId: string, rawId: string) =>
    db.query(
      `SELECT kind, from_me, tenant_id FROM held_message_events WHERE channel_id = $1 AND wa_raw_id = $2 ORDER BY id`,
      [channelId, rawId],
    );
  const pendingAcks = (channelId: string, key: string) =>
    db.query(`SELECT ack_level FROM pending_message_acks WHERE channel_id = $1 AND external_id = $2`, [channelId, key]);

  describe('CreateMessage', () => {
    it('stores the message as given (WAHA id exactly, WhatsApp time exactly) and raises one message.created', async () => {
      const externalId = 'false_5511999990001@c.us_AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47';
      const result = await create.execute(
        command({
          externalId,
          sentAt: new Date(1773147750 * 1000),
          metadata: { source: 'app', replyTo: { id: 'AC1F3B7E9D2C4A6F8E0B1D3C5A7E9F21', body: 'Olá!' } },
        }),
      );
      expect(result.created).toBe(true);
      const view = result.message;
      expect(view).toMatchObject({
        sessionId: conv.sessionId,
        contactId: conv.contactId,
        channelId: conv.channelId,
        direction: 'inbound',
        externalId,
        waChatId: '5511999990001@c.us',
        waRawId: 'AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
        type: 'text',
        text: 'Pode mandar sim, obrigada!',
        media: null,
        status: 'received',
        ackLevel: 2,
        sentAt: '2026-03-10T13:02:30.000Z',
        revokedAt: null,
        metadata: {
          source: 'app',
          replyTo: { id: 'AC1F3B7E9D2C4A6F8E0B1D3C5A7E9F21', participant: null, body: 'Olá!' },
        },
        reactions: [],
      });
      await expect(get.execute({ tenantId: tenantA, id: view.id })).resolves.toEqual(view);

      const [row] = await db.query(
        `SELECT tenant_id, external_id, wa_chat_id, wa_raw_id, sent_at, status, ack_level FROM messages WHERE id = $1`,
        [view.id],
      );
      expect(row).toEqual({
        tenant_id: tenantA,
        external_id: externalId,
        wa_chat_id: '5511999990001@c.us',
        wa_raw_id: 'AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
        sent_at: new Date('2026-03-10T13:02:30.000Z'),
        status: 'received',
        ack_level: 2,
      });

      const events = await outboxFor(view.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'message.created',
        aggregate_type: 'message',
        tenant_id: tenantA,
        payload: {
          id: view.id,
          sessionId: conv.sessionId,
          contactId: conv.contactId,
          channelId: conv.channelId,
          direction: 'inbound',
          type: 'text',
          text: 'Pode mandar sim, obrigada!',
          sentAt: '2026-03-10T13:02:30.000Z',
          externalId,
          status: 'received',
        },
      });
    });

    it('keeps media and captions of an image', async () => {
      const { message } = await create.execute(
        command({
          type: 'image',
          text: 'Essa é a tela que aparece pra mim',
          media: {
            url: 'http://localhost:3000/api/files/default/AC2B7E1F4D9A3C5E8B0F6A2D4C7E9B13.jpeg',
            mimetype: 'image/jpeg',
            filename: null,
            caption: 'Essa é a tela que aparece pra mim',
          },
        }),
      );
      expect((await get.execute({ tenantId: tenantA, id: message.id })).media).toEqual({
        url: 'http://localhost:3000/api/files/default/AC2B7E1F4D9A3C5E8B0F6A2D4C7E9B13.jpeg',
        mimetype: 'image/jpeg',
        filename: null,
        caption: 'Essa é a tela que aparece pra mim',
        error: null,
      });
    });

    it('is idempotent: 5 concurrent creates of one WAHA id store 1 row and raise 1 message.created', async () => {
      const externalId = waMessageId('inbound');
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => create.execute(command({ externalId, text: `attempt ${i}` }))),
      );

      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.message;
      for (const result of results) expect(result.message).toEqual(winner);
      expect(
        await db.query(`SELECT id FROM messages WHERE channel_id = $1 AND external_id = $2`, [
          conv.channelId,
          externalId,
        ]),
      ).toEqual([{ id: winner.id }]);
      const created = await db.query(
        `SELECT aggregate_id FROM outbox_events WHERE type = 'message.created' AND payload->>'externalId' = $1`,
        [externalId],
      );
      expect(created).toEqual([{ aggregate_id: winner.id }]);
    });

    it('returns the stored message unchanged on a later duplicate, and treats a group id with another 4th segment as the same message', async () => {
      const raw = rawMessageId();
      const first = await create.execute(
        command({ externalId: `false_120363400000000001@g.us_${raw}_123450000000002@lid`, text: 'first' }),
      );
      const again = await create.execute(
        command({ externalId: `false_120363400000000001@g.us_${raw}_123450000000002@lid`, text: 'changed' }),
      );
      const otherSegment = await create.execute(
        command({ externalId: `false_120363400000000001@g.us_${raw}_5511999990002@c.us` }),
      );
      expect(again).toEqual({ message: first.message, created: false });
      expect(otherSegment).toEqual({ message: first.message, created: false });
      expect(await typesFor(first.message.id)).toEqual(['message.created']);
    });

    it('lets another channel store the same WAHA id (dedup is per channel)', async () => {
      const other = await seedConversation(db, tenantA);
      const externalId = waMessageId('inbound');
      const one = await create.execute(command({ externalId }));
      const two = await create.execute(command({ externalId }, other));
      expect(one.created && two.created).toBe(true);
      expect(one.message.id).not.toBe(two.message.id);
    });

    it("refuses a WAHA id the channel stored for another tenant, without leaking that tenant's message", async () => {
      const externalId = waMessageId('inbound');
      await create.execute(command({ externalId }));
      const inB = await seedConversation(db, tenantB);
      const error = await rejection(create.execute(command({ externalId }, { ...inB, channelId: conv.channelId })));
      expect(error).toBeInstanceOf(MessageExternalIdConflictError);
      expect((error as MessageExternalIdConflictError).code).toBe('MESSAGE.EXTERNAL_ID_CONFLICT');
    });

    it('answers a coded error naming the reference when the session does not exist, and writes nothing', async () => {
      const externalId = waMessageId('inbound');
      const error = await rejection(
        create.execute(command({ externalId, sessionId: '00000000-0000-4000-8000-000000000000' })),
      );
      expect(error).toBeInstanceOf(MessageReferenceNotFoundError);
      expect((error as MessageReferenceNotFoundError).field).toBe('sessionId');
      expect(await db.query(`SELECT id FROM messages WHERE external_id = $1`, [externalId])).toEqual([]);
    });

    it('rejects a time in 1970 (seconds divided by 1000) before touching the database', async () => {
      const error = await rejection(create.execute(command({ sentAt: new Date(1773147750) })));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('sentAt');
    });
  });

  describe('ApplyMessageAck', () => {
    const at = new Date('2026-03-10T13:02:10.000Z');

    it('applies acks forward only: READ then DEVICE stays read, one status_changed per real change', async () => {
      const externalId = waMessageId('outbound');
      const { message } = await create.execute(command({ direction: 'outbound', externalId, ackLevel: 1 }));
      expect(message.status).toBe('sent');

      expect(await ack.execute({ tenantId: tenantA, channelId: conv.channelId, externalId, ack: 3, at })).toEqual({
        outcome: 'applied',
        status: 'read',
      });
      expect(await ack.execute({ tenantId: tenantA, channelId: conv.channelId, externalId, ack: 2, at })).toEqual({
        outcome: 'ignored',
        status: 'read',
      });
      expect(await ack.execute({ tenantId: tenantA, channelId: conv.channelId, externalId, ack: 3, at })).toEqual({
        outcome: 'ignored',
        status: 'read',
      });
      expect(await ack.execute({ tenantId: tenantA, channelId: conv.channelId, externalId, ack: -1, at })).toEqual({
        outcome: 'ignored',
        status: 'read',
      });
      expect(await ack.execute({ tenantId: tenantA, channelId: conv.channelId, externalId, ack: 4, at })).toEqual({
        outcome: 'applied',
        status: 'played',
      });

      const view = await get.execute({ tenantId: tenantA, id: message.id });
      expect(view).toMatchObject({ status: 'played', ackLevel: 4 });
      const events = await outboxFor(message.id);
      expect(events.map((e) => e.type)).toEqual([
        'message.created',
        'message.status_changed',
        'message.status_changed',
      ]);
      expect(events.slice(1).map((e) => [e.payload.from, e.payload.to, e.payload.ackLevel])).toEqual([
        ['sent', 'read', 3],
        ['read', 'played', 4],
      ]);
      expect(events[1]!.payload).toMatchObject({ id: message.id, externalId, changedAt: at.toISOString() });
    });

    it('marks a pending message failed on ERROR, and ignores acks on inbound messages', async () => {
      const outId = waMessageId('outbound');
      await create.execute(command({ direction: 'outbound', externalId: outId, ackLevel: 0 }));
      expect(
        await ack.execute({ tenantId: tenantA, channelId: conv.channelId, externalId: outId, ack: -1, at }),
      ).toEqual({
        outcome: 'applied',
        status: 'failed',
      });

      const inId = waMessageId('inbound');
      const { message } = await create.execute(command({ externalId: inId }));
      expect(await ack.execute({ tenantId: tenantA, channelId: conv.channelId, externalId: inId, ack: 3, at })).toEqual(
        {
          outcome: 'ignored',
          status: 'received',
        },
      );
      expect(await typesFor(message.id)).toEqual(['message.created']);
    });

    it('keeps an ack that arrives BEFORE its message (the strongest one) and applies it when the message is created', async () => {
      const externalId = waMessageId('outbound');
      const base = { tenantId: tenantA, channelId: conv.channelId, externalId, at };
      expect(await ack.execute({ ...base, ack: 2 })).toEqual({ outcome: 'pending', status: null });
      expect(await pendingAcks(conv.channelId, externalId)).toEqual([{ ack_level: 2 }]);
      expect(await ack.execute({ ...base, ack: 3 })).toEqual({ outcome: 'pending', status: null });
      expect(await ack.execute({ ...base, ack: 1 })).toEqual({ outcome: 'pending', status: null });
      expect(await pendingAcks(conv.channelId, externalId)).toEqual([{ ack_level: 3 }]);

      const { message, created } = await create.execute(command({ direction: 'outbound', externalId, ackLevel: 1 }));
      expect(created).toBe(true);
      expect(message).toMatchObject({ status: 'read', ackLevel: 3 });
      expect(await pendingAcks(conv.channelId, externalId)).toEqual([]);
      const events = await outboxFor(message.id);
      expect(events.map((e) => [e.type, e.payload.status ?? e.payload.to])).toEqual([
        ['message.created', 'sent'],
        ['message.status_changed', 'read'],
      ]);
    });

    it('matches a group ack on the first three id segments', async () => {
      const raw = rawMessageId();
      const { message } = await create.execute(
        command({
          direction: 'outbound',
          externalId: `true_120363400000000001@g.us_${raw}_5511999990000@c.us`,
          ackLevel: 1,
        }),
      );
      const result = await ack.execute({
        tenantId: tenantA,
        channelId: conv.channelId,
        externalId: `true_120363400000000001@g.us_${raw}_123450000000002@lid`,
        ack: 3,
        at,
      });
      expect(result).toEqual({ outcome: 'applied', status: 'read' });
      expect((await get.execute({ tenantId: tenantA, id: message.id })).status).toBe('read');
    });

    it('never loses an ack that races its message (20 rounds, both orders)', async () => {
      for (let round = 0; round < 20; round += 1) {
        const externalId = waMessageId('outbound');
        const creating = () => create.execute(command({ direction: 'outbound', externalId, ackLevel: 1 }));
        const acking = () => ack.execute({ tenantId: tenantA, channelId: conv.channelId, externalId, ack: 3, at });
        const [first, second] = round % 2 === 0 ? [creating, acking] : [acking, creating];
        await Promise.all([first(), second()]);

        const [row] = await db.query(
          `SELECT id, status, ack_level FROM messages WHERE channel_id = $1 AND external_id = $2`,
          [conv.channelId, externalId],
        );
        expect({ round, status: row.status, ack: row.ack_level }).toEqual({ round, status: 'read', ack: 3 });
        expect(await pendingAcks(conv.channelId, externalId)).toEqual([]);
        expect(await typesFor(row.id)).toEqual(['message.created', 'message.status_changed']);
      }
    });

    it('validates its input', async () => {
      const base = { tenantId: tenantA, channelId: conv.channelId, externalId: waMessageId('outbound'), ack: 3, at };
      for (const [overrides, field] of [
        [{ ack: 7 }, 'ack'],
        [{ externalId: 'nope' }, 'externalId'],
        [{ channelId: 'x' }, 'channelId'],
        [{ at: new Date(NaN) }, 'at'],
      ] as const) {
        const error = await rejection(ack.execute({ ...base, ...overrides }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
      }
    });

    it('reports an unknown channel for an early ack as a coded error', async () => {
      const error = await rejection(
        ack.execute({
          tenantId: tenantA,
          channelId: '00000000-0000-4000-8000-000000000000',
          externalId: waMessageId('outbound'),
          ack: 2,
          at,
        }),
      );
      expect(error).toBeInstanceOf(MessageReferenceNotFoundError);
      expect((error as MessageReferenceNotFoundError).field).toBe('channelId');
    });
  });

  describe('AdoptWahaMessageId (a warning WAHA sent under its own id)', () => {
    const warningText = 'Are you still there?';
    const placeholderOf = (phone: string, overrides: Partial<CreateMessageCommand> = {}) =>
      create.execute(
        command({
          direction: 'outbound',
          externalId: waMessageId('outbound', phone),
          text: warningText,
          ackLevel: 0,
          metadata: { source: 'api', automated: 'session_timeout_warning' },
          ...overrides,
        }),
      );

    it('moves the placeholder to the id of its echo (found by chat and text), which then is recorded already; the sender finds it moved', async () => {
      const phone = '5511988880001';
      const { message: placeholder } = await placeholderOf(phone);
      const echoId = waMessageId('outbound', phone);

      const adopted = await adopt.execute({
        tenantId: tenantA,
        channelId: conv.channelId,
        externalId: echoId,
        text: warningText,
      });
      expect(adopted).toMatchObject({
        adopted: true,
        message: { id: placeholder.id, externalId: echoId, waRawId: echoId.split('_')[2], text: warningText },
      });
      const echo = await create.execute(
        command({
          direction: 'outbound',
          externalId: echoId,
          text: warningText,
          ackLevel: 1,
          metadata: { source: 'api' },
        }),
      );
      expect(echo).toMatchObject({
        created: false,
        message: { id: placeholder.id, metadata: { automated: 'session_timeout_warning' } },
      });
      // sendText answers afterwards with the same id: nothing left to move.
      expect(
        await adopt.execute({
          tenantId: tenantA,
          channelId: conv.channelId,
          externalId: echoId,
          placeholderId: placeholder.id,
        }),
      ).toMatchObject({
        adopted: false,
        message: { id: placeholder.id },
      });
      expect(await typesFor(placeholder.id)).toEqual(['message.created']);
      expect(
        (await db.query(`SELECT count(*)::int AS n FROM messages WHERE wa_chat_id = $1`, [`${phone}@c.us`]))[0].n,
      ).toBe(1);
    });

    it('takes nothing else for an echo: another text, a message that is not automated or already acked, an inbound id', async () => {
      const phone = '5511988880002';
      await placeholderOf(phone, { metadata: { source: 'api' } });
      const acked = await placeholderOf(phone);
      await ack.execute({
        tenantId: tenantA,
        channelId: conv.channelId,
        externalId: acked.message.externalId,
        ack: 2,
        at: new Date(),
      });
      await placeholderOf(phone, { text: 'Another text' });
      const run = (externalId: string, text = warningText) =>
        adopt.execute({ tenantId: tenantA, channelId: conv.channelId, externalId, text });
      expect(await run(waMessageId('outbound', phone))).toBeNull();
      expect(await run(waMessageId('outbound', phone), 'Something else')).toBeNull();
      expect(await run(waMessageId('inbound', phone))).toBeNull();
      expect(
        await adopt.execute({
          tenantId: tenantB,
          channelId: conv.channelId,
          externalId: waMessageId('outbound', phone),
          text: 'Another text',
        }),
      ).toBeNull();
    });
  });

  describe('RevokeMessage', () => {
    const at = new Date('2026-03-10T13:02:56.000Z');

    it('revokes a known message once, answers already after that and holds revokes of messages not stored', async () => {
      const raw = rawMessageId();
      const { message } = await create.execute(command({ externalId: waMessageId('inbound', '5511999990001', raw) }));
      const base = { tenantId: tenantA, channelId: conv.channelId, chatId: '5511999990001@c.us', rawId: raw, at };

      const first = await revoke.execute(base);
      expect(first.outcome).toBe('revoked');
      expect(first.message).toMatchObject({ id: message.id, status: 'deleted', revokedAt: at.toISOString() });
      const second = await revoke.execute({ ...base, at: new Date('2026-03-10T13:03:30.000Z') });
      expect(second).toEqual({ outcome: 'already', message: first.message });
      const unknownRaw = rawMessageId();
      expect(await revoke.execute({ ...base, rawId: unknownRaw })).toEqual({ outcome: 'held' });
      expect(await heldFor(conv.channelId, unknownRaw)).toEqual([
        { kind: 'revoke', from_me: null, tenant_id: tenantA },
      ]);
      // Another tenant's id can neither see the message nor hold anything on the channel.
      const foreign = await rejection(revoke.execute({ ...base, tenantId: tenantB }));
      expect(foreign).toBeInstanceOf(MessageReferenceNotFoundError);
      expect((foreign as MessageReferenceNotFoundError).field).toBe('channelId');
      expect(await heldFor(conv.channelId, raw)).toEqual([]);

      const events = await outboxFor(message.id);
      expect(events.map((e) => e.type)).toEqual(['message.created', 'message.revoked']);
      expect(events[1]!.payload).toMatchObject({
        id: message.id,
        previousStatus: 'received',
        revokedAt: at.toISOString(),
      });
    });

    it('leaves a revoked outbound message deleted whatever acks come later', async () => {
      const raw = rawMessageId();
      const externalId = waMessageId('outbound', '5511999990001', raw);
      await create.execute(command({ direction: 'outbound', externalId, ackLevel: 1 }));
      await revoke.execute({
        tenantId: tenantA,
        channelId: conv.channelId,
        chatId: '5511999990001@c.us',
        rawId: raw,
        at,
      });
      expect(await ack.execute({ tenantId: tenantA, channelId: conv.channelId, externalId, ack: 3, at })).toEqual({
        outcome: 'ignored',
        status: 'deleted',
      });
    });

    it('names the malformed field', async () => {
      const error = await rejection(
        revoke.execute({ tenantId: tenantA, channelId: conv.channelId, chatId: '5511999990001', rawId: 'AC1', at }),
      );
      expect((error as ValidationError).field).toBe('chatId');
    });
  });

  describe('ReactToMessage', () => {
    it('records, repeats idempotently and removes a reaction, with one event per visible change', async () => {
      const externalId = waMessageId('outbound');
      const { message } = await create.execute(command({ direction: 'outbound', externalId }));
      const base = {
        tenantId: tenantA,
        channelId: conv.channelId,
        targetExternalId: externalId,
        reactorId: '5511999990001@c.us',
        at: new Date('2026-03-10T13:02:20.000Z'),
      };
      const added = { ...base, emoji: '👍', reactionExternalId: waMessageId('inbound') };

      expect(await react.execute(added)).toEqual({ outcome: 'recorded', changed: true });
      expect(await react.execute(added)).toEqual({ outcome: 'recorded', changed: false });
      expect((await get.execute({ tenantId: tenantA, id: message.id })).reactions).toEqual([
        { reactor: '5511999990001@c.us', emoji: '👍', reactedAt: '2026-03-10T13:02:20.000Z' },
      ]);

      const removed = {
        ...base,
        emoji: '',
        reactionExternalId: waMessageId('inbound'),
        at: new Date('2026-03-10T13:02:25.000Z'),
      };
      expect(await react.execute(removed)).toEqual({ outcome: 'removed', changed: true });
      expect(await react.execute(added)).toEqual({ outcome: 'removed', changed: false });
      expect((await get.execute({ tenantId: tenantA, id: message.id })).reactions).toEqual([]);

      const events = await outboxFor(message.id);
      expect(events.map((e) => e.type)).toEqual([
        'message.created',
        'message.reaction_added',
        'message.reaction_removed',
      ]);
      expect(events[1]!.payload).toMatchObject({
        emoji: '👍',
        reactor: '5511999990001@c.us',
        reactionExternalId: added.reactionExternalId,
      });
      expect(events[2]!.payload).toMatchObject({ emoji: '', previousEmoji: '👍', reactor: '5511999990001@c.us' });
    });

    it('holds a reaction to a message that is not stored, once per reaction id, and refuses a channel of another tenant', async () => {
      const base = {
        tenantId: tenantA,
        channelId: conv.channelId,
        targetExternalId: waMessageId('outbound'),
        reactorId: '5511999990001@c.us',
        emoji: '👍',
        reactionExternalId: waMessageId('inbound'),
        at: new Date('2026-03-10T13:02:20.000Z'),
      };
      expect(await react.execute(base)).toEqual({ outcome: 'held', changed: true });
      expect(await react.execute(base)).toEqual({ outcome: 'held', changed: false });
      const raw = base.targetExternalId.split('_')[2]!;
      expect(await heldFor(conv.channelId, raw)).toEqual([{ kind: 'reaction', from_me: true, tenant_id: tenantA }]);
      const foreign = await rejection(
        react.execute({ ...base, tenantId: tenantB, reactionExternalId: waMessageId('inbound') }),
      );
      expect((foreign as MessageReferenceNotFoundError).field).toBe('channelId');

      const { message } = await create.execute(command({ direction: 'outbound', externalId: base.targetExternalId }));
      expect(await typesFor(message.id)).toEqual(['message.created', 'message.reaction_added']);
      expect(await heldFor(conv.channelId, raw)).toEqual([]);
      // The repeat after the message landed changes nothing: the reaction is the reactor's current one.
      expect(await react.execute(base)).toEqual({ outcome: 'recorded', changed: false });
      expect(await typesFor(message.id)).toEqual(['message.created', 'message.reaction_added']);
    });
  });

  describe('revokes and reactions that overtook their message', () => {
    const chat = '5511999990001@c.us';
    const t = (second: number) => new Date(Date.UTC(2026, 2, 10, 13, 3, second));

    it('applies held reactions in WhatsApp-time order and the revoke when the message is created, with the events of a stored message', async () => {
      const raw = rawMessageId();
      const externalId = waMessageId('outbound', '5511999990001', raw);
      const reactionBase = {
        tenantId: tenantA,
        channelId: conv.channelId,
        targetExternalId: externalId,
        reactorId: chat,
      };
      const first = { ...reactionBase, emoji: '👍', reactionExternalId: waMessageId('inbound'), at: t(10) };
      const replacing = { ...reactionBase, emoji: '❤️', reactionExternalId: waMessageId('inbound'), at: t(11) };
      const removal = { ...reactionBase, emoji: '', reactionExternalId: waMessageId('inbound'), at: t(12) };
      // Arrival order: removal, first (twice: a duplicate delivery), replacing, then the revoke (twice).
      for (const reaction of [removal, first, first, replacing])
        expect((await react.execute(reaction)).outcome).toBe('held');
      const revokeCommand = { tenantId: tenantA, channelId: conv.channelId, chatId: chat, rawId: raw, at: t(20) };
      expect(await revoke.execute(revokeCommand)).toEqual({ outcome: 'held' });
      expect(await revoke.execute({ ...revokeCommand, at: t(21) })).toEqual({ outcome: 'held' });
      expect(await heldFor(conv.channelId, raw)).toHaveLength(4);

      const { message, created } = await create.execute(command({ direction: 'outbound', externalId, ackLevel: 1 }));
      expect(created).toBe(true);
      expect(message).toMatchObject({ status: 'deleted', revokedAt: t(20).toISOString(), reactions: [] });
      const events = await outboxFor(message.id);
      expect(events.map((e) => [e.type, e.payload.emoji ?? null])).toEqual([
        ['message.created', null],
        ['message.reaction_added', '👍'],
        ['message.reaction_added', '❤️'],
        ['message.reaction_removed', ''],
        ['message.revoked', null],
      ]);
      expect(events[4]!.payload).toMatchObject({
        id: message.id,
        previousStatus: 'sent',
        revokedAt: t(20).toISOString(),
      });
      expect(await heldFor(conv.channelId, raw)).toEqual([]);

      // Repeats after the message landed change nothing and raise nothing.
      expect((await revoke.execute(revokeCommand)).outcome).toBe('already');
      expect(await react.execute(first)).toEqual({ outcome: 'removed', changed: false });
      expect(await create.execute(command({ direction: 'outbound', externalId }))).toMatchObject({ created: false });
      expect(await outboxFor(message.id)).toHaveLength(5);
    });

    it('applies a held revoke to the message of either direction, and a held reaction only to its own direction', async () => {
      const raw = rawMessageId();
      await revoke.execute({ tenantId: tenantA, channelId: conv.channelId, chatId: chat, rawId: raw, at: t(30) });
      const inboundTarget = waMessageId('inbound', '5511999990001', raw);
      await react.execute({
        tenantId: tenantA,
        channelId: conv.channelId,
        targetExternalId: waMessageId('outbound', '5511999990001', raw),
        reactorId: chat,
        emoji: '👍',
        reactionExternalId: waMessageId('inbound'),
        at: t(29),
      });

      const { message } = await create.execute(command({ externalId: inboundTarget }));
      expect(message).toMatchObject({ status: 'deleted', reactions: [] });
      expect(await typesFor(message.id)).toEqual(['message.created', 'message.revoked']);
      expect(await heldFor(conv.channelId, raw)).toEqual([{ kind: 'reaction', from_me: true, tenant_id: tenantA }]);
    });

    it('never loses a revoke racing the creation of its message', async () => {
      for (let round = 0; round < 5; round += 1) {
        const raw = rawMessageId();
        const externalId = waMessageId('inbound', '5511999990001', raw);
        const [revoked, { message }] = await Promise.all([
          revoke.execute({ tenantId: tenantA, channelId: conv.channelId, chatId: chat, rawId: raw, at: t(40) }),
          create.execute(command({ externalId })),
        ]);
        expect(['revoked', 'held']).toContain(revoked.outcome);
        const stored = await get.execute({ tenantId: tenantA, id: message.id });
        expect({ round, status: stored.status, types: await typesFor(message.id) }).toEqual({
          round,
          status: 'deleted',
          types: ['message.created', 'message.revoked'],
        });
      }
    });
  });

  describe('DeleteMessage (compensation)', () => {
    it('hard-deletes once, raising message.deleted once, and answers false afterwards', async () => {
      const { message } = await create.execute(command({ externalId: waMessageId('inbound') }));
      await moduleRef.get(RecordAdConversionHandler).execute({
        tenantId: tenantA,
        messageId: message.id,
        contactId: conv.contactId,
        sessionId: conv.sessionId,
        channelId: conv.channelId,
        referral: { sourceId: '120210000000000001' },
      });

      expect(await remove.execute({ tenantId: tenantB, messageId: message.id, reason: 'saga_rollback' })).toBe(false);
      const results = await Promise.all(
        [1, 2, 3].map(() => remove.execute({ tenantId: tenantA, messageId: message.id, reason: 'saga_rollback' })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await remove.execute({ tenantId: tenantA, messageId: message.id, reason: 'saga_rollback' })).toBe(false);

      expect(await db.query(`SELECT id FROM messages WHERE id = $1`, [message.id])).toEqual([]);
      expect(await db.query(`SELECT id FROM ad_conversions WHERE message_id = $1`, [message.id])).toEqual([]);
      expect(await rejection(get.execute({ tenantId: tenantA, id: message.id }))).toBeInstanceOf(MessageNotFoundError);
      const events = await outboxFor(message.id);
      expect(events.map((e) => e.type)).toEqual(['message.created', 'message.deleted']);
      expect(events[1]!.payload).toMatchObject({
        id: message.id,
        reason: 'saga_rollback',
        externalId: message.externalId,
      });

      // Once compensated, the same WAHA id can be stored again by a retried saga.
      expect((await create.execute(command({ externalId: message.externalId }))).created).toBe(true);
    });

    it('validates the ids and the reason', async () => {
      expect(
        ((await rejection(remove.execute({ tenantId: tenantA, messageId: 'x', reason: 'r' }))) as ValidationError)
          .field,
      ).toBe('messageId');
      const { message } = await create.execute(command({ externalId: waMessageId('inbound') }));
      expect(
        (
          (await rejection(
            remove.execute({ tenantId: tenantA, messageId: message.id, reason: ' ' }),
          )) as ValidationError
        ).field,
      ).toBe('reason');
      expect((await get.execute({ tenantId: tenantA, id: message.id })).id).toBe(message.id);
    });
  });
});
