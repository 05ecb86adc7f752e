import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { NatsConnection } from 'nats';
import { ServiceLifecycle } from './lifecycle';
import { InjectNats } from './tokens';

/**
 * `/health`: NATS connected, Postgres answering. `/ready`: the same, and not shutting down, so a
 * load balancer stops sending requests to an instance that is draining.
 */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectNats() private readonly nc: NatsConnection,
    private readonly lifecycle: ServiceLifecycle,
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
    return this.health.check([
      () => this.accepting(),
      () => this.nats(),
      () => this.db.pingCheck('postgres', { timeout: 1500 }),
    ]);
  }

  private accepting() {
    const session = this.indicators.check('lifecycle');
    return this.lifecycle.draining ? session.down({ message: 'shutting down' }) : session.up();
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
