import Ajv, { type ValidateFunction } from 'ajv';
import type { ToolSpec } from '@tether/contracts';

/**
 * Checks a tool call's arguments against the tool's JSON Schema (`input` in the agent YAML),
 * before anything runs. A tool without a schema accepts any object. Compiled schemas are kept
 * per schema object, so a release's tools compile once.
 */
export type ToolArgsValidator = (tool: ToolSpec, args: Record<string, unknown>) => string[];

export function createToolArgsValidator(): ToolArgsValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const compiled = new WeakMap<object, ValidateFunction | Error>();
  return (tool, args) => {
    if (!tool.input) return [];
    let validate = compiled.get(tool.input);
    if (!validate) {
      try {
        validate = ajv.compile(tool.input);
      } catch (err) {
        validate = err as Error;
      }
      compiled.set(tool.input, validate);
    }
    if (validate instanceof Error)
      return [`the schema of ${tool.name} is not valid: ${validate.message}`];
    if (validate(args)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'arguments'} ${e.message ?? 'is invalid'}`,
    );
  };
}
