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
  const servers = mcpServerProblems(raw.mcpServers, problems);
  tools.forEach((tool: unknown, i) => {
    if (isRecord(tool)) toolSourceProblems(tool, `tools.${i}`, servers, problems);
  });
  return problems;
}

/** Problems of `mcpServers`; returns the names declared. */
function mcpServerProblems(value: unknown, problems: string[]): Set<string> {
  const names = new Set<string>();
  if (!Array.isArray(value)) return names;
  value.forEach((server: unknown, i) => {
    if (!isRecord(server)) return;
    const path = `mcpServers.${i}`;
    if (typeof server.name === 'string') {
      if (names.has(server.name)) problems.push(`${path}.name "${server.name}" is a duplicate`);
      names.add(server.name);
    }
    const stdio = server.command !== undefined;
    const http = server.url !== undefined;
    if (stdio === http) problems.push(`${path} needs exactly one of command (stdio) or url (HTTP)`);
    if (!stdio && (server.args !== undefined || server.env !== undefined)) {
      problems.push(`${path}.args and env apply only to a stdio server (command)`);
    }
    if (!http && server.headers !== undefined) {
      problems.push(`${path}.headers apply only to an HTTP server (url)`);
    }
    secretMapProblems(server.env, `${path}.env`, problems);
    secretMapProblems(server.headers, `${path}.headers`, problems);
  });
  return names;
}

function toolSourceProblems(
  tool: Record<string, unknown>,
  path: string,
  servers: Set<string>,
  problems: string[],
): void {
  const sources = (['http', 'nats', 'mcp'] as const).filter((k) => tool[k] !== undefined);
  if (sources.length > 1) {
    problems.push(`${path} has more than one source (${sources.join(', ')}); keep one`);
  }
  if (typeof tool.mcp === 'string' && !servers.has(tool.mcp)) {
    problems.push(`${path}.mcp "${tool.mcp}" is not one of mcpServers`);
  }
  if (isRecord(tool.http)) secretMapProblems(tool.http.headers, `${path}.http.headers`, problems);
  if (isRecord(tool.caps)) {
    for (const [arg, max] of Object.entries(tool.caps)) {
      if (typeof max !== 'number' || !Number.isFinite(max)) {
        problems.push(`${path}.caps.${arg} must be a number (the highest value allowed)`);
      }
    }
  }
}

/** A map of name → secret name: the values name secrets, they are never secrets themselves. */
function secretMapProblems(value: unknown, path: string, problems: string[]): void {
  if (!isRecord(value)) return;
  for (const [key, secret] of Object.entries(value)) {
    if (typeof secret !== 'string' || !SECRET_NAME.test(secret)) {
      problems.push(
        `${path}.${key} must name a secret (letters, digits and _), e.g. CARRIER_API_KEY`,
      );
    }
  }
}

const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

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
 * `guardrails.output.schema`, `headers`) are not descended into.
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
