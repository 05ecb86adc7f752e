import type { AgentRelease } from '@tether/contracts';
import type { ToolArgsValidator } from '@tether/agents';
import { checkToolArgs, guardrailsOf } from '@tether/guardrails';
import { redact } from '@tether/redaction';
import { callPolicy, capProblems } from '@tether/run-domain';

/**
 * Why an approver's edited arguments cannot replace the model's: every check the call itself
 * passed (schema, caps, the blocked-action guardrails, the permission matrix for the run's user) applies again. Arguments
 * holding personal data or secrets are refused too: the log keeps edits as they are, and the log
 * never holds such values.
 */
export function editProblems(
  release: AgentRelease | undefined,
  tool: string,
  runRoles: readonly string[],
  args: Record<string, unknown>,
  validate: ToolArgsValidator,
): string[] {
  if (!release) return ['the agent of this run is no longer loaded'];
  const spec = release.spec.tools.find((t) => t.name === tool);
  if (!spec) return [`${release.name} no longer declares ${tool}`];
  const problems = [...validate(spec, args), ...capProblems(spec.caps, args)];
  if (problems.length) return problems;
  const blocked = checkToolArgs(guardrailsOf(release.spec), tool, args).triggers;
  if (blocked.length) {
    return blocked.map((t) => `the guardrails block these arguments (${t.ruleId}: ${t.detail})`);
  }
  const policy = callPolicy(release.spec, runRoles, spec, args);
  if (policy.effect === 'deny')
    return [`the permission matrix denies these arguments (${policy.rule})`];
  if (redact(args).paths.length > 0) {
    return [
      'the edited arguments hold personal data or secrets, which the log may not store: deny, and let the agent propose the call again',
    ];
  }
  return [];
}
