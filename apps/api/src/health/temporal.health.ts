import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TemporalClientProvider } from '@app/workflows';

@Injectable()
export class TemporalHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly temporal: TemporalClientProvider,
  ) {}

  async isHealthy(key = 'temporal') {
    const check = this.indicator.check(key);
    try {
      await this.temporal.checkHealth();
      return check.up({ address: this.temporal.config.address, namespace: this.temporal.config.namespace });
    } catch (err) {
      return check.down({ address: this.temporal.config.address, message: (err as Error).message });
    }
  }
}
