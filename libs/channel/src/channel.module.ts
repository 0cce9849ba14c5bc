import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DnsHostResolver, HostResolver } from '@app/shared';
import { ChannelSecrets } from './application/channel-secrets';
import { CreateChannelHandler } from './application/create-channel/create-channel.handler';
import { GetChannelHandler } from './application/get-channel/get-channel.handler';
import { GetSessionPolicyHandler } from './application/get-session-policy/get-session-policy.handler';
import { GetWahaConnectionHandler } from './application/get-waha-connection/get-waha-connection.handler';
import { ListChannelsHandler } from './application/list-channels/list-channels.handler';
import { RecordWahaSessionStatusHandler } from './application/record-waha-session-status/record-waha-session-status.handler';
import { ResolveInboundChannelHandler } from './application/resolve-inbound-channel/resolve-inbound-channel.handler';
import { RotateWebhookSecretHandler } from './application/rotate-webhook-secret/rotate-webhook-secret.handler';
import { TenantSessionDefaults } from './application/tenant-session-defaults.port';
import { UpdateChannelHandler } from './application/update-channel/update-channel.handler';
import { WahaCircuitStateStore } from './application/waha/waha-circuit-state.port';
import { WahaClient } from './application/waha/waha-client.port';
import { WahaUrlGuard } from './application/waha/waha-url.guard';
import { sessionConfig } from '@app/session';
import { type ChannelConfig, channelConfig } from './channel.config';
import { ChannelRepository } from './domain/channel.repository.port';
import { WahaAddressPolicy } from './domain/waha-address-policy';
import { ChannelOrmEntity } from './infrastructure/persistence/channel.orm-entity';
import { SqlWahaCircuitStateStore } from './infrastructure/persistence/sql-waha-circuit-state.store';
import { TypeOrmChannelRepository } from './infrastructure/persistence/typeorm-channel.repository';
import { TypeOrmTenantSessionDefaults } from './infrastructure/persistence/typeorm-tenant-session-defaults';
import { HttpWahaClient } from './infrastructure/waha/http-waha.client';
import { ResilientWahaClient } from './infrastructure/waha/resilient-waha.client';

const HANDLERS = [
  CreateChannelHandler,
  GetChannelHandler,
  ListChannelsHandler,
  UpdateChannelHandler,
  RotateWebhookSecretHandler,
  RecordWahaSessionStatusHandler,
  ResolveInboundChannelHandler,
  GetWahaConnectionHandler,
  GetSessionPolicyHandler,
];

/** The Channel bounded context, plus the WAHA client (exported as the WahaClient port: the HTTP
 *  client behind retries, a circuit breaker and a rate limiter per channel). Needs
 *  DatabaseModule (UnitOfWork, Clock, TransactionContext), OutboxModule (EventOutbox) and
 *  SecretsModule (SecretCipher), all global, to be imported by the application. */
@Module({
  imports: [
    TypeOrmModule.forFeature([ChannelOrmEntity]),
    ConfigModule.forFeature(channelConfig),
    ConfigModule.forFeature(sessionConfig),
  ],
  providers: [
    { provide: ChannelRepository, useClass: TypeOrmChannelRepository },
    { provide: TenantSessionDefaults, useClass: TypeOrmTenantSessionDefaults },
    HttpWahaClient,
    { provide: WahaClient, useClass: ResilientWahaClient },
    { provide: WahaCircuitStateStore, useClass: SqlWahaCircuitStateStore },
    { provide: HostResolver, useClass: DnsHostResolver },
    {
      provide: WahaAddressPolicy,
      inject: [channelConfig.KEY],
      useFactory: (config: ChannelConfig) => new WahaAddressPolicy(config.wahaAllowedCidrs),
    },
    WahaUrlGuard,
    ChannelSecrets,
    ...HANDLERS,
  ],
  exports: [...HANDLERS, WahaClient],
})
export class ChannelModule {}
