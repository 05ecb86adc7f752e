import type { AgentRegistry } from '@tether/agents';
import type { ModelRouter } from '@tether/models';

/** Injection tokens of the outside systems the orchestrator talks to through ports. */
export const AGENTS = Symbol('AGENTS');
export const MODELS = Symbol('MODELS');
export const CLOCK = Symbol('CLOCK');

export type { AgentRegistry, ModelRouter };
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
