import { Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { TetherClient, type ToolSwitch } from '@tether/sdk';
import { InjectConfig, InjectNats } from '@tether/service-kit';
import type { GatewayConfig } from '../config';
import type { Caller } from './api-key.registry';

export interface TenantToolSwitch {
  tool: string;
  scope: 'tenant' | 'all';
  enabled: boolean;
  by: string;
  reason: string;
  at: string;
  flipId?: string;
}

/** Tools' kill switches as a tenant's operators see and flip them: their tenant's scope only. */
@Injectable()
export class ToolSwitchBoard {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: GatewayConfig,
  ) {}

  async list(tenant: string): Promise<TenantToolSwitch[]> {
    return (await this.client(tenant).tools.switches({ tenant })).map(view);
  }

  async flip(
    caller: Caller,
    tool: string,
    enabled: boolean,
    reason: string,
  ): Promise<TenantToolSwitch> {
    const options = { tenant: caller.tenantId, by: caller.subject, reason };
    const tools = this.client(caller.tenantId).tools;
    const { record } = await (enabled ? tools.enable(tool, options) : tools.disable(tool, options));
    return {
      tool: record.name,
      scope: 'tenant',
      enabled: record.enabled,
      by: record.by,
      reason: record.reason,
      at: record.time,
      flipId: record.id,
    };
  }

  private client(tenant: string): TetherClient {
    return new TetherClient(this.nc, { prefix: this.config.prefix, tenant });
  }
}

function view(s: ToolSwitch): TenantToolSwitch {
  return {
    tool: s.tool,
    scope: s.tenant === undefined ? 'all' : 'tenant',
    // An unreadable value reads as off (its reason says why), as every executor treats it.
    enabled: s.enabled,
    by: s.by,
    reason: s.reason,
    at: s.at,
    ...(s.flipId !== undefined && { flipId: s.flipId }),
  };
}
