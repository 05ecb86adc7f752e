import { Controller, Get, Header } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { InjectMetrics } from './tokens';

/**
 * One registry per service instance, never prom-client's global one: tests boot several
 * services in one process, and each must expose only its own metrics. Process metrics (CPU,
 * memory, event loop, GC) carry a `service` label so a dashboard can tell the services apart.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, labels: { service } });
  return registry;
}

/** `GET /metrics`: the instance's registry in the Prometheus text format. */
@Controller()
export class MetricsController {
  constructor(@InjectMetrics() private readonly registry: Registry) {}

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
