import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { NatsConnection } from 'nats';
import { InjectNats } from './tokens';

/** `/health` (liveness + dependencies) and `/ready`: NATS connected with JetStream, Postgres answering. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectNats() private readonly nc: NatsConnection,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.nats(),
      () => this.db.pingCheck('postgres', { timeout: 1500 }),
    ]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.check();
  }

  private async nats() {
    const session = this.indicators.check('nats');
    if (this.nc.isClosed()) return session.down({ message: 'connection closed' });
    try {
      const rtt = await this.nc.rtt();
      return session.up({ server: this.nc.getServer(), rttMs: Math.round(rtt * 100) / 100 });
    } catch (err) {
      return session.down({ message: (err as Error).message });
    }
  }
}
