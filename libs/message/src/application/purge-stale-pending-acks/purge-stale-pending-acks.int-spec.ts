import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  ApplyMessageAckHandler,
  CreateMessageHandler,
  MessageModule,
  PurgeStalePendingAcksHandler,
} from '@app/message';
import { newMessageInput, seedConversation, waMessageId } from '@app/message/testing';
import { createTenant, createTestContext } from '../../../../../test/support/nest';
import { ownerView } from '../../../../../test/support/database';

describe('PurgeStalePendingAcks (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([MessageModule]));
    db = await ownerView(moduleRef.get(DataSource));
  });
  afterAll(() => moduleRef.close());

  it('drops acks that waited longer than the retention for a message that never came, and keeps the rest', async () => {
    const { tenantId } = await createTenant(moduleRef);
    const conv = await seedConversation(db, tenantId);
    const ack = moduleRef.get(ApplyMessageAckHandler);
    const [stale, fresh] = [waMessageId('outbound'), waMessageId('outbound')];
    for (const externalId of [stale, fresh]) {
      expect(
        (await ack.execute({ tenantId, channelId: conv.channelId, externalId, ack: 3, at: new Date() })).outcome,
      ).toBe('pending');
    }
    await db.query(`UPDATE pending_message_acks SET received_at = now() - interval '8 days' WHERE external_id = $1`, [
      stale,
    ]);

    expect(await moduleRef.get(PurgeStalePendingAcksHandler).execute({ batchSize: 1 })).toEqual({ deleted: 1 });
    const left = (
      await db.query(`SELECT external_id FROM pending_message_acks WHERE channel_id = $1`, [conv.channelId])
    ).map((r: { external_id: string }) => r.external_id);
    expect(left).toEqual([fresh]);

    // The kept ack still applies when its message lands.
    const { message } = await moduleRef.get(CreateMessageHandler).execute(
      newMessageInput({
        tenantId,
        sessionId: conv.sessionId,
        contactId: conv.contactId,
        channelId: conv.channelId,
        direction: 'outbound',
        externalId: fresh,
      }),
    );
    expect(message.status).toBe('read');
  });
});
