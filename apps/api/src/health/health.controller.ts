import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ErrorCode } from '../platform/error-envelope';
import { SkipThrottle } from '@nestjs/throttler';
import { ShutdownReadiness } from '@app/shared';
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
    private readonly shutdown: ShutdownReadiness,
  ) {}

  /** The process is up (no dependency checks: a restart would not fix them). */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready to serve: not shutting down, and the database and Temporal answer. */
  @Get('ready')
  @ApiServiceUnavailableResponse({
    description: 'NOT_READY: shutting down, or a dependency failed its check (`details` has the status of each)',
  })
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    if (this.shutdown.shuttingDown)
      throw new ServiceUnavailableException({ code: ErrorCode.NOT_READY, message: 'Not ready: shutting down' });
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 2_000 }),
        () => this.temporal.isHealthy(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const { error: failing = {}, details } = error.getResponse() as HealthCheckResult;
      throw new ServiceUnavailableException({
        code: ErrorCode.NOT_READY,
        message: `Not ready: ${Object.keys(failing).join(', ')} failed its check`,
        details,
      });
    }
  }
}
