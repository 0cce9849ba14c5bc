import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Client, type ClientInterceptors, Connection, type ConnectionLike } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { tracingRuntime } from '@app/shared';
import { connectionOptions } from './connection-options';
import { temporalDataConverter } from './payload-encryption';
import { temporalConfig, TemporalConfig } from './temporal.config';

/** The Temporal client both apps use. The connection is lazy: the API boots without Temporal and
 *  reports it in /health/ready instead of failing to start. */
@Injectable()
export class TemporalClientProvider implements OnApplicationShutdown {
  readonly connection: Connection;
  /** Encrypts payloads when TEMPORAL_PAYLOAD_KEYS is set; the worker uses the same one. */
  readonly dataConverter: ReturnType<typeof temporalDataConverter>;
  private current: Client;

  constructor(@Inject(temporalConfig.KEY) readonly config: TemporalConfig) {
    this.connection = Connection.lazy(connectionOptions(config));
    this.dataConverter = temporalDataConverter(config.payloadKeys);
    this.current = new Client({
      connection: this.connection,
      namespace: config.namespace,
      dataConverter: this.dataConverter,
      interceptors: clientInterceptors(),
    });
  }

  get client(): Client {
    return this.current;
  }

  /** True once the client rides the process's worker connection: a workflow started for a task
   *  queue this process polls may then be started eagerly (its first task comes back in the start
   *  response instead of through matching; the SDK falls back to a normal start when no local
   *  worker has a free slot). */
  get eagerStartAvailable(): boolean {
    return this.current.connection !== this.connection;
  }

  /** The worker process calls this with its NativeConnection (Rust core, not grpc-js): every
   *  later call goes through it, which is cheaper and enables eager workflow start. The caller
   *  owns and closes that connection. */
  shareWorkerConnection(connection: ConnectionLike): void {
    this.current = new Client({
      connection,
      namespace: this.config.namespace,
      dataConverter: this.dataConverter,
      interceptors: clientInterceptors(),
    });
  }

  /** Resolves when the server answers its health check within `timeoutMs`. */
  async checkHealth(timeoutMs = 2_000): Promise<void> {
    await this.connection.withDeadline(Date.now() + timeoutMs, () => this.connection.healthService.check({}));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

/** With tracing on, starts and signals carry the caller's trace context in Temporal headers, so the
 *  workflow and its activities continue the caller's trace. */
function clientInterceptors(): ClientInterceptors | undefined {
  return tracingRuntime() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

@Global()
@Module({
  imports: [ConfigModule.forFeature(temporalConfig)],
  providers: [TemporalClientProvider],
  exports: [TemporalClientProvider],
})
export class TemporalClientModule {}
