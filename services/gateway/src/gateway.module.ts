import { Module } from '@nestjs/common';
import type { BaseConfig, ServiceDefinition } from '@tether/service-kit';

@Module({})
export class GatewayModule {}

/** No tables of its own: the gateway still connects to Postgres, so /health reports it. */
export function gatewayService(config: BaseConfig): ServiceDefinition {
  return { config, module: GatewayModule };
}
