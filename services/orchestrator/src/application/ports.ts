import type { AgentRegistry } from '@tether/agents';
import type { BudgetDecision, ReserveBudget } from '@tether/contracts';
import type { ModelRouter } from '@tether/models';

/** Injection tokens of the outside systems the orchestrator talks to through ports. */
export const AGENTS = Symbol('AGENTS');
export const MODELS = Symbol('MODELS');
export const CLOCK = Symbol('CLOCK');
export const BUDGET = Symbol('BUDGET');

/** The budget service: holds the worst case of a call before it is made. */
export interface BudgetPort {
  reserve(request: ReserveBudget): Promise<BudgetDecision>;
}

export type { AgentRegistry, ModelRouter };
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
