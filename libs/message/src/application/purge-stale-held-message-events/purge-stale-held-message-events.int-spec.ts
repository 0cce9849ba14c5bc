import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  CreateMessageHandler,
  MessageModule,
  PurgeStaleHeldMessageEventsHandler,
  ReactToMessageHandler,
  RevokeMessageHandler,
} from '@app/message';
import { newMessageInput, rawMessageId, seedConversation, waMessageId } from '@app/message/testing';
import { createTenant, createTestContext } from '../../../../../test/support/nest';
import { ownerView } from '../../../../../test/support/database';

describe('PurgeStaleHeldMessageEvents (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([MessageModule]));
    db = await ownerView(moduleRef.get(DataSource));
  });
  afterAll(() => moduleRef.close());

  it('drops revokes and reactions held longer than the retention for a message that never came, and keeps the rest', async () => {
    const { tenantId } = await createTenant(moduleRef);
    const conv = await seedConversation(db, tenantId);
    const chatId = '5511999990001@c.us';
    const [staleRaw, freshRaw] = [rawMessageId(), rawMessageId()];
    const at = new Date();
    await moduleRef
      .get(RevokeMessageHandler)
      .execute({ tenantId, channelId: conv.channelId, chatId, rawId: staleRaw, at });
    const reaction = { tenantId, channelId: conv.channelId, reactorId: chatId, emoji: '👍', at };
    await moduleRef.get(ReactToMessageHandler).execute({
      ...reaction,
      targetExternalId: waMessageId('inbound', '5511999990001', staleRaw),
      reactionExternalId: waMessageId('inbound'),
    });
    const freshTarget = waMessageId('inbound', '5511999990001', freshRaw);
    await moduleRef
      .get(ReactToMessageHandler)
      .execute({ ...reaction, targetExternalId: freshTarget, reactionExternalId: waMessageId('inbound') });
    await db.query(`UPDATE held_message_events SET held_at = now() - interval '8 days' WHERE wa_raw_id = $1`, [
      staleRaw,
    ]);

    expect(await moduleRef.get(PurgeStaleHeldMessageEventsHandler).execute({ batchSize: 1 })).toEqual({ deleted: 2 });
    const left = await db.query(`SELECT wa_raw_id, kind FROM held_message_events WHERE channel_id = $1`, [
      conv.channelId,
    ]);
    expect(left).toEqual([{ wa_raw_id: freshRaw, kind: 'reaction' }]);

    // The kept reaction still applies when its message lands.
    const { message } = await moduleRef.get(CreateMessageHandler).execute(
      newMessageInput({
        tenantId,
        sessionId: conv.sessionId,
        contactId: conv.contactId,
        channelId: conv.channelId,
        externalId: freshTarget,
      }),
    );
    expect(message.reactions).toEqual([{ reactor: chatId, emoji: '👍', reactedAt: at.toISOString() }]);
  });
});
