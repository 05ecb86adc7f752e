/**
 * @tether/guardrails: checks on what goes into and comes out of the model and on what tool
 * arguments and tool results carry, configured per agent (`guardrails:` in the agent YAML).
 * Pure: no I/O. The checks return triggers; recording them as `guardrail.triggered` events is
 * the orchestrator's job.
 */
export {
  compileGuardrails,
  guardrailsOf,
  type CompiledGuardrails,
  type CompiledBlockedPattern,
  type InjectionSettings,
} from './guardrails.compile';
export {
  CLASSIFIER_INSTRUCTIONS,
  classifierTrigger,
  parseClassifierReply,
  type InputClassification,
} from './classifier';
export { checkInput, type InputCheck, type InputVerdict } from './input.check';
export {
  checkOutput,
  checkInterimText,
  declaredConfidence,
  confidenceTrigger,
  type OutputCheck,
  type OutputVerdict,
} from './output.check';
export {
  checkToolArgs,
  checkToolResult,
  type ToolArgsCheck,
  type ToolResultCheck,
} from './tool.check';
export { TriggerAction, TriggerStage, MAX_DETAIL, type Trigger } from './trigger';
export {
  INJECTION_RULES,
  INJECTION_RULE_IDS,
  INJECTION_RULESET_VERSION,
  type InjectionRule,
} from './injection.rules';
export { TOOL_ARG_RULES, TOOL_ARG_RULE_IDS, type ToolArgRule } from './tool-args.rules';
export { scanText, canonical, type ScanText } from './scan-text';
