import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Client, Connection } from '@temporalio/client';
import { connectionOptions } from './connection-options';
import { temporalConfig, TemporalConfig } from './temporal.config';

/** The Temporal client both apps use. The connection is lazy: the API boots without Temporal and
 *  reports it in /health/ready instead of failing to start. */
@Injectable()
export class TemporalClientProvider implements OnApplicationShutdown {
  readonly connection: Connection;
  readonly client: Client;

  constructor(@Inject(temporalConfig.KEY) readonly config: TemporalConfig) {
    this.connection = Connection.lazy(connectionOptions(config));
    this.client = new Client({ connection: this.connection, namespace: config.namespace });
  }

  /** Resolves when the server answers its health check within `timeoutMs`. */
  async checkHealth(timeoutMs = 2_000): Promise<void> {
    await this.connection.withDeadline(Date.now() + timeoutMs, () => this.connection.healthService.check({}));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

@Global()
@Module({
  imports: [ConfigModule.forFeature(temporalConfig)],
  providers: [TemporalClientProvider],
  exports: [TemporalClientProvider],
})
export class TemporalClientModule {}
