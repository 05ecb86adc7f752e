import type { AgentRegistry } from '@tether/agents';
import type { AgentRelease, ToolSpec } from '@tether/contracts';
import type { RateLimit } from '../domain/rate-limit';
import type { ToolHandler } from '../domain/tool-handler';

export const AGENTS = Symbol('AGENTS');
export const TOOL_SOURCES = Symbol('TOOL_SOURCES');
export const KILL_SWITCHES = Symbol('KILL_SWITCHES');

export type { AgentRegistry };

/**
 * Where the code behind a declared tool lives: in-process packs, HTTP endpoints, MCP servers,
 * NATS services. `handlerFor` answers undefined when this source does not serve the tool.
 */
export interface ToolSource {
  readonly name: string;
  handlerFor(spec: ToolSpec, release: AgentRelease): ToolHandler | undefined;
}

/** Why a tool is switched off, as the operator who flipped the switch said. */
export interface SwitchState {
  by: string;
  reason: string;
  at: string;
}

/** The kill switches every executor watches; answers from memory, never waits on I/O. */
export interface KillSwitches {
  /** The switch that disables `tool` for `tenantId` (its own or the all-tenants one), if any. */
  disabled(tenantId: string, tool: string): SwitchState | undefined;
}

export const RATE_LIMITER = Symbol('RATE_LIMITER');

export type RateVerdict =
  { allowed: true } | { allowed: false; scope: 'tenant' | 'user'; retryAfterMs: number };

/** Shared by every executor instance: one count per tenant and one per user, per tool and window. */
export interface RateLimiter {
  /** Counts one call against each limit given, and says whether every one still allows it. */
  take(request: {
    tenantId: string;
    userId: string;
    tool: string;
    user?: RateLimit;
    tenant?: RateLimit;
  }): Promise<RateVerdict>;
}
