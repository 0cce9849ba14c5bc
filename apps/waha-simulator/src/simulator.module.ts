import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ObservabilityModule } from '@app/shared';
import { ApiKeyGuard } from './http/api-key.guard';
import { ChatsController } from './http/chats.controller';
import { FaultInterceptor } from './http/fault.interceptor';
import { FilesController } from './http/files.controller';
import { ProxyErrorFilter } from './http/proxy-error';
import { SendController } from './http/send.controller';
import { SessionsController } from './http/sessions.controller';
import { SimController } from './http/sim.controller';
import { SIMULATOR_SETTINGS, type SimulatorSettings } from './simulator.config';
import { Scheduler } from './state/scheduler';
import { SimulatorService } from './state/simulator.service';
import { SimulatorState } from './state/simulator-state';
import { WebhookSender } from './webhooks/webhook-sender';

@Module({})
export class SimulatorModule {
  static forRoot(settings: SimulatorSettings): DynamicModule {
    return {
      module: SimulatorModule,
      imports: [
        ObservabilityModule.forRoot({
          level: settings.logLevel,
          redact: ['req.headers["x-api-key"]', 'req.query["x-api-key"]'],
          ignorePathPrefixes: ['/ping', '/health'],
        }),
      ],
      controllers: [SessionsController, ChatsController, SendController, FilesController, SimController],
      providers: [
        { provide: SIMULATOR_SETTINGS, useValue: settings },
        SimulatorState,
        Scheduler,
        WebhookSender,
        SimulatorService,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_INTERCEPTOR, useClass: FaultInterceptor },
        { provide: APP_FILTER, useClass: ProxyErrorFilter },
      ],
    };
  }
}
