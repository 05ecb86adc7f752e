export { loadAgents, parseAgents, resolveAgentsDir, type AgentSource } from './agent.loader';
export { createAgentRegistry, type AgentRegistry } from './agent.registry';
export { DEFAULT_LIMITS, resolveLimits } from './limits.defaults';
export { canonicalJson, releaseHash } from './release.hash';
export { isPinnedModelId, modelPinProblem, type PinnableModel } from './model-pin.policy';
export { agentSpecProblems } from './agent-spec.rules';
export { createToolArgsValidator, type ToolArgsValidator } from './tool-args.validator';
