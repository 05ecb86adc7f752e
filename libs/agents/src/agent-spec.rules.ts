import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError as ClassValidationError } from 'class-validator';
import { AgentSpec, ModelProviderName, type ModelSpec } from '@tether/contracts';
import { modelPinProblem } from './model-pin.policy';

/**
 * Rules the contract's decorators cannot express: they span fields. Each problem starts with the
 * field's path. Written defensively so it also runs on a spec that failed the contract parse:
 * a user then sees every problem of the file at once. Fields of the wrong type are skipped here;
 * the contract parse reports them.
 */
export function agentSpecProblems(spec: AgentSpec): string[] {
  const problems: string[] = [];
  const raw = spec as unknown as Record<string, unknown>;
  modelProblems(raw.model, 'model', problems);
  if (Array.isArray(raw.fallbacks)) {
    raw.fallbacks.forEach((m, i) => modelProblems(m, `fallbacks.${i}`, problems));
  }

  const firstIndex = new Map<string, number>();
  const tools = Array.isArray(raw.tools) ? raw.tools : [];
  tools.forEach((tool: unknown, i) => {
    if (!isRecord(tool) || typeof tool.name !== 'string') return;
    const first = firstIndex.get(tool.name);
    if (first === undefined) firstIndex.set(tool.name, i);
    else problems.push(`tools.${i}.name "${tool.name}" is a duplicate of tools.${first}.name`);
  });
  return problems;
}

const PROVIDERS: ReadonlySet<unknown> = new Set(Object.values(ModelProviderName));

function modelProblems(model: unknown, path: string, problems: string[]): void {
  if (!isRecord(model) || !PROVIDERS.has(model.provider)) return;
  const m = model as Partial<ModelSpec>;
  if (typeof m.id === 'string') {
    const pin = modelPinProblem({ provider: m.provider!, id: m.id, allowAlias: m.allowAlias });
    if (pin) problems.push(`${path}.${pin}`);
  }
  const scripted = m.provider === ModelProviderName.Scripted;
  if (scripted && (m.script === undefined || (Array.isArray(m.script) && m.script.length === 0))) {
    problems.push(`${path}.script must be a non-empty list of turns for provider scripted`);
  }
  if (!scripted && m.script !== undefined) {
    problems.push(`${path}.script is only allowed for provider scripted`);
  }
  if (m.provider === ModelProviderName.OpenAICompatible && !m.baseUrl) {
    problems.push(`${path}.baseUrl is required for provider openai-compatible`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Keys the agent format does not know (`limts:`, `maxStep:`). The contract parse ignores them,
 * so without this check a typo silently drops a limit. Free-form maps (`args`, `input`,
 * `guardrails`, `headers`) are not descended into.
 */
export function unknownFieldProblems(plain: object): string[] {
  const instance = plainToInstance(AgentSpec, plain);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
  });
  return collectUnknown(errors, '');
}

function collectUnknown(errors: ClassValidationError[], path: string): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    const own = e.constraints?.whitelistValidation ? [`${here} is not a known field`] : [];
    return [...own, ...collectUnknown(e.children ?? [], here)];
  });
}
