import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { Request, Response, NextFunction } from 'express';
import { DatabaseModule, databaseConfig } from '@app/database';
import { OutboxModule } from '@app/outbox';
import { TenantModule } from '@app/tenant';
import { Correlation, ObservabilityModule, SecretsModule } from '@app/shared';
import { WorkflowGatewaysModule, TemporalClientModule } from '@app/workflows';
import { apiConfig } from './api.config';
import { ChannelsHttpModule } from './channels/channels-http.module';
import { ContactsHttpModule } from './contacts/contacts-http.module';
import { MessagesHttpModule } from './messages/messages-http.module';
import { SessionsHttpModule } from './sessions/sessions-http.module';
import { WahaHttpModule } from './waha/waha-http.module';
import { WebhooksHttpModule } from './webhooks/webhooks-http.module';
import { HealthModule } from './health/health.module';
import { HistoryImportsHttpModule } from './history-imports/history-imports-http.module';
import { CodecHttpModule } from './codec/codec-http.module';
import { OutboxController } from './outbox/outbox.controller';
import { ApiKeysHttpModule } from './api-keys/api-keys-http.module';
import { ApiAccessModule } from './platform/api-access.module';
import { DevTenantSeeder } from './platform/dev-tenant.seeder';

const REQUEST_ID_HEADER = 'x-request-id';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [apiConfig, databaseConfig] }),
    ObservabilityModule.forRoot({
      // Reuse the caller's request id, or make one; it is echoed back and becomes the correlation id.
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const incoming = req.headers[REQUEST_ID_HEADER];
        const id = (Array.isArray(incoming) ? incoming[0] : incoming) || randomUUID();
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      redact: ['req.headers["x-api-key"]', 'req.headers.authorization', 'req.headers["x-webhook-hmac"]'],
      ignorePathPrefixes: ['/health'],
    }),
    SecretsModule,
    DatabaseModule,
    OutboxModule,
    TenantModule,
    ApiAccessModule,
    TemporalClientModule,
    WorkflowGatewaysModule,
    HealthModule,
    ContactsHttpModule,
    ChannelsHttpModule,
    SessionsHttpModule,
    MessagesHttpModule,
    WahaHttpModule,
    WebhooksHttpModule,
    HistoryImportsHttpModule,
    CodecHttpModule,
    ApiKeysHttpModule,
  ],
  controllers: [OutboxController],
  providers: [DevTenantSeeder],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Events raised while serving a request carry its request id as their correlation id.
    consumer
      .apply((req: Request & { id?: unknown }, _res: Response, next: NextFunction) =>
        Correlation.run(String(req.id ?? randomUUID()), next),
      )
      .forRoutes('*path');
  }
}
