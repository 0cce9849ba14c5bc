import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { DatabaseModule, databaseConfig, SystemGaugesCollector } from '@app/database';
import { OutboxModule } from '@app/outbox';
import { SecretsModule } from '@app/shared';
import { WorkflowGatewaysModule, TemporalClientModule, WorkflowsModule } from '@app/workflows';
import { workerConfig } from './worker.config';
import { TemporalWorkerHost } from './temporal-worker.host';
import { WorkerHealthServer } from './worker-health.server';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [workerConfig, databaseConfig] }),
    LoggerModule.forRootAsync({ useFactory: () => ({ pinoHttp: { level: process.env.LOG_LEVEL ?? 'info' } }) }),
    SecretsModule,
    DatabaseModule,
    OutboxModule,
    TemporalClientModule,
    WorkflowGatewaysModule,
    WorkflowsModule,
  ],
  providers: [TemporalWorkerHost, WorkerHealthServer, SystemGaugesCollector],
})
export class WorkerModule {}
