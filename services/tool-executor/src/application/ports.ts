import type { AgentRegistry } from '@tether/agents';
import type { ToolHandler } from '../domain/tool-handler';

export const AGENTS = Symbol('AGENTS');
export const TOOL_REGISTRY = Symbol('TOOL_REGISTRY');

export type { AgentRegistry };
/** Tool name → the code that runs it, from every pack this executor serves. */
export type ToolRegistry = ReadonlyMap<string, ToolHandler>;
