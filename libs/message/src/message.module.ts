import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdoptWahaMessageIdHandler } from './application/adopt-waha-message-id/adopt-waha-message-id.handler';
import { ApplyMessageAckHandler } from './application/apply-message-ack/apply-message-ack.handler';
import { CompleteMessageGroupHandler } from './application/complete-message-group/complete-message-group.handler';
import { CreateMessageHandler } from './application/create-message/create-message.handler';
import { DeleteMessageHandler } from './application/delete-message/delete-message.handler';
import { FindMessageByExternalIdHandler } from './application/find-message-by-external-id/find-message-by-external-id.handler';
import { GetMessageHandler } from './application/get-message/get-message.handler';
import { PurgeStaleHeldMessageEventsHandler } from './application/purge-stale-held-message-events/purge-stale-held-message-events.handler';
import { PurgeStalePendingAcksHandler } from './application/purge-stale-pending-acks/purge-stale-pending-acks.handler';
import { GetSessionMessageStatsHandler } from './application/get-session-message-stats/get-session-message-stats.handler';
import { ListMessagesHandler } from './application/list-messages/list-messages.handler';
import { ReactToMessageHandler } from './application/react-to-message/react-to-message.handler';
import { RecordAdConversionHandler } from './application/record-ad-conversion/record-ad-conversion.handler';
import { RevokeMessageHandler } from './application/revoke-message/revoke-message.handler';
import { AdConversionRepository } from './domain/ad-conversion.repository.port';
import { HeldMessageEventRepository } from './domain/held-message-event.repository.port';
import { MessageGroupRepository } from './domain/message-group.repository.port';
import { MessageRepository } from './domain/message.repository.port';
import { PendingMessageAckRepository } from './domain/pending-message-ack.repository.port';
import { AdConversionOrmEntity } from './infrastructure/persistence/ad-conversion.orm-entity';
import { MessageGroupOrmEntity } from './infrastructure/persistence/message-group.orm-entity';
import { MessageOrmEntity } from './infrastructure/persistence/message.orm-entity';
import { TypeOrmAdConversionRepository } from './infrastructure/persistence/typeorm-ad-conversion.repository';
import { TypeOrmHeldMessageEventRepository } from './infrastructure/persistence/typeorm-held-message-event.repository';
import { TypeOrmMessageGroupRepository } from './infrastructure/persistence/typeorm-message-group.repository';
import { TypeOrmMessageRepository } from './infrastructure/persistence/typeorm-message.repository';
import { TypeOrmPendingMessageAckRepository } from './infrastructure/persistence/typeorm-pending-message-ack.repository';

const HANDLERS = [
  CreateMessageHandler,
  AdoptWahaMessageIdHandler,
  ApplyMessageAckHandler,
  RevokeMessageHandler,
  ReactToMessageHandler,
  DeleteMessageHandler,
  GetSessionMessageStatsHandler,
  RecordAdConversionHandler,
  CompleteMessageGroupHandler,
  GetMessageHandler,
  FindMessageByExternalIdHandler,
  ListMessagesHandler,
  PurgeStalePendingAcksHandler,
  PurgeStaleHeldMessageEventsHandler,
];

/** The Message bounded context: messages, their acks, revokes and reactions, ad conversions and
 *  debounced message groups. Needs DatabaseModule (UnitOfWork, Clock, TransactionContext) and
 *  OutboxModule (EventOutbox), both global, to be imported by the application. */
@Module({
  imports: [TypeOrmModule.forFeature([MessageOrmEntity, AdConversionOrmEntity, MessageGroupOrmEntity])],
  providers: [
    { provide: MessageRepository, useClass: TypeOrmMessageRepository },
    { provide: PendingMessageAckRepository, useClass: TypeOrmPendingMessageAckRepository },
    { provide: HeldMessageEventRepository, useClass: TypeOrmHeldMessageEventRepository },
    { provide: AdConversionRepository, useClass: TypeOrmAdConversionRepository },
    { provide: MessageGroupRepository, useClass: TypeOrmMessageGroupRepository },
    ...HANDLERS,
  ],
  exports: [...HANDLERS],
})
export class MessageModule {}
