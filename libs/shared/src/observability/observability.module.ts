import { type DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type AppLoggingOptions, loggerOptions } from './logger-options';
import { shutdownTracing } from './tracing';

/** Flushes the spans still buffered once the app has stopped (workers drained, requests done). */
@Injectable()
class TracingShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return shutdownTracing();
  }
}

/** Logging (nestjs-pino, see loggerOptions) and the tracing shutdown, the same in every app. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: AppLoggingOptions = {}): DynamicModule {
    return {
      module: ObservabilityModule,
      // forRootAsync: LOG_LEVEL and LOG_FORMAT are read when the app is created, not when this file is imported.
      imports: [LoggerModule.forRootAsync({ useFactory: () => loggerOptions(options) })],
      providers: [TracingShutdown],
    };
  }
}
