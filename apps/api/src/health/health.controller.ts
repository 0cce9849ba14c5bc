import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../platform/public.decorator';
import { TemporalHealthIndicator } from './temporal.health';

@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly temporal: TemporalHealthIndicator,
  ) {}

  /** The process is up (no dependency checks: a restart would not fix them). */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready to serve: the database and Temporal answer. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      () => this.temporal.isHealthy(),
    ]);
  }
}
