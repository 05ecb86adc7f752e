import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { AgentSpec, parseAs, type AgentRelease } from '@tether/contracts';
import { NotFoundError, ValidationError } from '@tether/errors';
import { guardrailsOf } from '@tether/guardrails';
import { agentSpecProblems, unknownFieldProblems } from './agent-spec.rules';
import { createAgentRegistry, type AgentRegistry } from './agent.registry';
import { resolveLimits } from './limits.defaults';
import { releaseHash } from './release.hash';

/** One agent file's name (as shown in messages) and its text. */
export interface AgentSource {
  file: string;
  text: string;
}

const AGENT_FILE = /\.ya?ml$/i;

/** `TETHER_AGENTS_DIR` when set (relative to `cwd`), else `<cwd>/agents`. */
export function resolveAgentsDir(envValue?: string, cwd: string = process.cwd()): string {
  const value = envValue?.trim();
  return value ? resolve(cwd, value) : join(cwd, 'agents');
}

/**
 * Loads every `*.yaml` / `*.yml` file directly in `dir`. Throws one `ValidationError` listing
 * every problem of every file (each prefixed with its file), so a user fixes them in one pass.
 */
export function loadAgents(dir: string): AgentRegistry {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const message = `agents directory not found: ${dir} (set TETHER_AGENTS_DIR or create it)`;
      throw new NotFoundError(message, { cause: err });
    }
    if (code === 'ENOTDIR') {
      throw new ValidationError(`agents path is not a directory: ${dir}`, [], { cause: err });
    }
    throw err;
  }
  const sources = names
    .filter((name) => AGENT_FILE.test(name))
    .sort()
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  return parseAgents(sources);
}

/** The file-system-free core of `loadAgents`: same rules, same errors. */
export function parseAgents(sources: readonly AgentSource[]): AgentRegistry {
  const problems: string[] = [];
  const fileOf = new Map<string, string>();
  const releases: AgentRelease[] = [];
  for (const { file, text } of sources) {
    const result = parseAgentSource(text);
    if (!result.ok) {
      problems.push(...result.problems.map((p) => `${file}: ${p}`));
      continue;
    }
    const { name } = result.release;
    const other = fileOf.get(name);
    if (other !== undefined) {
      problems.push(`${file}: name "${name}" is already used by ${other}`);
      continue;
    }
    fileOf.set(name, file);
    releases.push(result.release);
  }
  if (problems.length) throw new ValidationError('invalid agent definitions', problems);
  return createAgentRegistry(releases);
}

type SourceResult = { ok: true; release: AgentRelease } | { ok: false; problems: string[] };

function parseAgentSource(text: string): SourceResult {
  // 1. YAML: syntax errors carry the line and column the yaml library reports.
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) =>
        e.code === 'MULTIPLE_DOCS'
          ? 'holds more than one YAML document; put one agent in each file'
          : `YAML syntax error: ${e.message.split(':\n')[0]}`,
      ),
    };
  }
  let plain: unknown;
  try {
    plain = doc.toJS();
  } catch (err) {
    return { ok: false, problems: [`YAML error: ${(err as Error).message}`] };
  }
  if (plain === null || plain === undefined) {
    return { ok: false, problems: ['is empty; expected an agent definition'] };
  }
  if (typeof plain !== 'object' || Array.isArray(plain)) {
    return {
      ok: false,
      problems: ['must be a YAML mapping (name, model, instructions, tools, …)'],
    };
  }

  // 2. The contract, then the rules that span fields.
  defaultMcpTiers(plain as Record<string, unknown>);
  const parsed = parseAs(AgentSpec, plain);
  const problems = [
    ...(parsed.ok ? [] : parsed.problems),
    ...unknownFieldProblems(plain),
    ...agentSpecProblems(parsed.ok ? parsed.value : (plain as AgentSpec)),
  ];
  if (!parsed.ok || problems.length) return { ok: false, problems };

  // 3. Defaults and the content hash; the guardrails compiled once, here, so a bad regex or
  // schema stops the load instead of the first run.
  const release = createRelease(parsed.value);
  try {
    guardrailsOf(release.spec);
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, problems: err.problems };
    throw err;
  }
  return { ok: true, release };
}

/** An MCP tool the agent did not map to a tier is irreversible: it waits for a human. */
function defaultMcpTiers(plain: Record<string, unknown>): void {
  if (!Array.isArray(plain.tools)) return;
  for (const tool of plain.tools) {
    if (tool && typeof tool === 'object' && 'mcp' in tool && !('tier' in tool)) {
      (tool as Record<string, unknown>).tier = 2;
    }
  }
}

/**
 * Applies defaults to a freshly parsed spec (ours to change) and hashes the result. The release,
 * spec included, is deeply frozen: its hash must keep matching its content.
 */
function createRelease(spec: AgentSpec): AgentRelease {
  const limits = resolveLimits(spec.limits);
  spec.limits = { ...limits };
  return deepFreeze({ name: spec.name, release: releaseHash(spec), spec, limits });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
