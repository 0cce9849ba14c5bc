import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SystemGaugesCollector } from '@app/database';
import { ShutdownReadiness } from '@app/shared';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { TemporalHealthIndicator } from './temporal.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [
    TemporalHealthIndicator,
    SystemGaugesCollector,
    { provide: ShutdownReadiness, useValue: new ShutdownReadiness() },
  ],
  exports: [ShutdownReadiness],
})
export class HealthModule {}
