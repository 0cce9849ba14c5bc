import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ShutdownReadiness } from '@app/shared';
import { Public } from '../platform/public.decorator';
import { TemporalHealthIndicator } from './temporal.health';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly temporal: TemporalHealthIndicator,
    private readonly shutdown: ShutdownReadiness,
  ) {}

  /** The process is up (no dependency checks: a restart would not fix them). */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready to serve: not shutting down, and the database and Temporal answer. */
  @Get('ready')
  @HealthCheck()
  ready() {
    if (this.shutdown.shuttingDown) throw new ServiceUnavailableException({ status: 'error', reasons: ['shutting down'] });
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      () => this.temporal.isHealthy(),
    ]);
  }
}
