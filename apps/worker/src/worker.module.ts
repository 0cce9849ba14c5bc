import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DatabaseModule, databaseConfig, SystemGaugesCollector } from '@app/database';
import { OutboxModule } from '@app/outbox';
import { ObservabilityModule, SecretsModule } from '@app/shared';
import { WorkflowGatewaysModule, TemporalClientModule, WorkflowsModule } from '@app/workflows';
import { workerConfig } from './worker.config';
import { TemporalWorkerHost } from './temporal-worker.host';
import { WorkerHealthServer } from './worker-health.server';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [workerConfig, databaseConfig] }),
    ObservabilityModule.forRoot(),
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
