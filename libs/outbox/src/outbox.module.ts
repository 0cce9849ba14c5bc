import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventOutbox } from '@app/shared';
import { OutboxAdminService } from './application/outbox-admin.service';
import { OutboxPublisherRegistry } from './application/outbox-publisher';
import { OutboxRelayService } from './application/outbox-relay.service';
import { OutboxRepository } from './application/outbox.repository.port';
import { OutboxEventOrmEntity } from './infrastructure/outbox-event.orm-entity';
import { TypeOrmEventOutbox } from './infrastructure/typeorm-event-outbox';
import { TypeOrmOutboxRepository } from './infrastructure/typeorm-outbox.repository';
import { outboxConfig } from './outbox.config';

/** Global so every context's use cases can append events through the EventOutbox port. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([OutboxEventOrmEntity]), ConfigModule.forFeature(outboxConfig)],
  providers: [
    { provide: EventOutbox, useClass: TypeOrmEventOutbox },
    { provide: OutboxRepository, useClass: TypeOrmOutboxRepository },
    OutboxPublisherRegistry,
    OutboxRelayService,
    OutboxAdminService,
  ],
  exports: [EventOutbox, OutboxPublisherRegistry, OutboxRelayService, OutboxAdminService],
})
export class OutboxModule {}
