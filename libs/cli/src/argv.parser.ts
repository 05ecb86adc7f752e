import { parseArgs } from 'node:util';
import {
  CAP_NAMES,
  MAX_RUN_PAGE,
  Outcome,
  RUN_ID_PATTERN,
  RUN_STATUSES,
  RunMode,
  SPEND_GROUPS,
  TOOL_NAME_PATTERN,
  type CapName,
  type RunStatusName,
  type SpendGroup,
} from '@tether/contracts';
import { UsageError } from './cli.errors';

/** Options every command accepts; unset ones fall back to the environment (see cli.config.ts). */
export interface GlobalFlags {
  nats?: string;
  prefix?: string;
  tenant?: string;
  user?: string;
  json: boolean;
}

export type Invocation =
  | { command: 'help'; topic?: CommandName }
  | {
      command: 'run';
      flags: GlobalFlags;
      agent: string;
      input: string;
      follow: boolean;
      wait: boolean;
      mode?: RunMode;
      roles?: string[];
    }
  | { command: 'events'; flags: GlobalFlags; runId: string }
  | { command: 'cancel'; flags: GlobalFlags; runId: string; reason?: string }
  | { command: 'rebuild'; flags: GlobalFlags }
  | {
      command: 'tools';
      flags: GlobalFlags;
      action: 'disable' | 'enable';
      tool: string;
      reason: string;
      /** Who flips it; the OS user when absent. */
      by?: string;
    }
  | { command: 'tools'; flags: GlobalFlags; action: 'switches' }
  | {
      command: 'keys';
      flags: GlobalFlags;
      action: 'create';
      tenant: string;
      subject: string;
      roles: string[];
      /** `--expires`: a duration (`30d`) or an ISO 8601 time. */
      expires?: { expiresIn: string } | { expiresAt: string };
      name?: string;
      /** Who creates it; the OS user when absent. */
      by?: string;
    }
  | { command: 'keys'; flags: GlobalFlags; action: 'list'; tenant: string }
  | { command: 'keys'; flags: GlobalFlags; action: 'revoke'; keyId: string; by?: string }
  | {
      command: 'spend';
      flags: GlobalFlags;
      /** The grouping; `day` by default. */
      by: SpendGroup;
      /** UTC days, `YYYY-MM-DD`; the budget service's defaults when absent (the last 30 days). */
      from?: string;
      to?: string;
      /** `--user`: one user's spend. */
      userId?: string;
      agent?: string;
      model?: string;
    }
  | {
      command: 'runs';
      flags: GlobalFlags;
      /** `--user`: one user's runs. */
      userId?: string;
      agent?: string;
      release?: string;
      status?: RunStatusName;
      outcome?: Outcome;
      /** Runs that called (or asked to call) this tool. */
      tool?: string;
      /** ISO 8601 instants: runs created at or after `from` and before `to`. */
      from?: string;
      to?: string;
      /** 1–200; the trace-store's default (50) when absent. */
      limit?: number;
      cursor?: string;
    }
  | {
      command: 'trace';
      flags: GlobalFlags;
      runId: string;
      /** The projected events, one line each, instead of the timeline. */
      events: boolean;
    }
  | { command: 'budget'; flags: GlobalFlags; action: 'caps' }
  | {
      command: 'budget';
      flags: GlobalFlags;
      action: 'set';
      cap: CapName;
      /** Dollars per period; null removes the cap. */
      limitUsd: number | null;
      /** A cap of the whole installation (tenant `_all`) rather than of the tenant. */
      global: boolean;
      /** `--user`: the one user a `user_*` cap holds for; every user (`*`) when absent. */
      subject?: string;
      by: string;
      reason: string;
    };

export const COMMAND_NAMES = [
  'run',
  'events',
  'cancel',
  'rebuild',
  'tools',
  'keys',
  'spend',
  'budget',
  'runs',
  'trace',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

const OPTIONS = {
  nats: { type: 'string' },
  prefix: { type: 'string' },
  tenant: { type: 'string' },
  user: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  follow: { type: 'boolean', short: 'f' },
  wait: { type: 'boolean', short: 'w' },
  mode: { type: 'string' },
  roles: { type: 'string' },
  reason: { type: 'string' },
  by: { type: 'string' },
  subject: { type: 'string' },
  expires: { type: 'string' },
  name: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  agent: { type: 'string' },
  model: { type: 'string' },
  global: { type: 'boolean' },
  release: { type: 'string' },
  status: { type: 'string' },
  outcome: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  tool: { type: 'string' },
  events: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;
const GLOBAL: OptionName[] = ['nats', 'prefix', 'tenant', 'user', 'json', 'help'];

/** Positional arguments and own options of each command. */
const SHAPE: Record<CommandName, { args: string[]; options: OptionName[] }> = {
  run: { args: ['agent', 'input'], options: ['follow', 'wait', 'mode', 'roles'] },
  events: { args: ['runId'], options: [] },
  cancel: { args: ['runId'], options: ['reason'] },
  rebuild: { args: [], options: [] },
  // `tools disable|enable <tool>`, `tools switches`: checked in parseTools.
  tools: { args: ['action'], options: ['reason', 'by'] },
  // `keys create|list|revoke`: checked in parseKeys.
  keys: { args: ['action'], options: ['subject', 'roles', 'expires', 'name', 'by'] },
  // Here `--by` is the grouping (tenant, user, …): checked in parseSpend.
  spend: { args: [], options: ['by', 'from', 'to', 'agent', 'model'] },
  // `budget caps`, `budget set <cap> <usd|none>`: checked in parseBudget.
  budget: { args: ['action'], options: ['by', 'reason', 'global'] },
  // Filters checked in parseRuns; `--user` names whose runs.
  runs: {
    args: [],
    options: ['agent', 'release', 'status', 'outcome', 'tool', 'from', 'to', 'limit', 'cursor'],
  },
  trace: { args: ['runId'], options: ['events'] },
};

export const TOOLS_ACTIONS = ['disable', 'enable', 'switches'] as const;
export const KEYS_ACTIONS = ['create', 'list', 'revoke'] as const;
export const BUDGET_ACTIONS = ['caps', 'set'] as const;
/** `tether spend` groups by day unless told otherwise. */
export const DEFAULT_SPEND_GROUP: SpendGroup = 'day';
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Dollars as people type them: `5`, `12.50`, `$0.25`. */
const DOLLARS = /^\$?(\d{1,12}(\.\d{1,8})?|\.\d{1,8})$/;
/** A key's lifetime: a whole number and s, m, h, d or w (the gateway's own rule). */
const DURATION = /^[1-9][0-9]{0,5}[smhdw]$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const MODES = Object.values(RunMode) as string[];

/** Turns argv (without `node` and the script) into one invocation; throws UsageError for anything else. */
export function parseArgv(argv: string[]): Invocation {
  const { values, positionals } = parse(argv);
  const [first, ...rest] = positionals;
  if (first === 'help')
    return { command: 'help', topic: rest[0] === undefined ? undefined : commandName(rest[0]) };
  if (first === undefined) {
    if (values.help) return { command: 'help' };
    throw new UsageError('no command given');
  }
  const command = commandName(first);
  if (values.help) return { command: 'help', topic: command };

  const shape = SHAPE[command];
  const stray = (Object.keys(values) as OptionName[]).filter(
    (k) => !GLOBAL.includes(k) && !shape.options.includes(k),
  );
  if (stray.length) throw new UsageError(`${command} does not take --${stray[0]}`, command);
  const flags: GlobalFlags = {
    nats: nonEmpty(values.nats, 'nats', command),
    prefix: nonEmpty(values.prefix, 'prefix', command),
    tenant: nonEmpty(values.tenant, 'tenant', command),
    user: nonEmpty(values.user, 'user', command),
    json: values.json ?? false,
  };
  if (command === 'tools') return parseTools(rest, values, flags);
  if (command === 'keys') return parseKeys(rest, values, flags);
  if (command === 'spend') return parseSpend(rest, values, flags);
  if (command === 'budget') return parseBudget(rest, values, flags);
  if (command === 'runs') return parseRuns(rest, values, flags);
  if (rest.length !== shape.args.length) {
    const expected = shape.args.length ? shape.args.map((a) => `<${a}>`).join(' ') : 'no arguments';
    throw new UsageError(`${command} takes ${expected}, got ${rest.length} argument(s)`, command);
  }

  switch (command) {
    case 'run': {
      const [agent, input] = rest;
      if (values.mode !== undefined && !MODES.includes(values.mode)) {
        throw new UsageError(`--mode must be one of ${MODES.join(', ')}`, command);
      }
      const roles = parseRoles(values.roles, command);
      if (values.follow && values.wait)
        throw new UsageError('--follow already waits for the outcome: give one of them', command);
      return {
        command,
        flags,
        agent,
        input,
        follow: values.follow ?? false,
        wait: values.wait ?? false,
        mode: values.mode as RunMode | undefined,
        roles,
      };
    }
    case 'events':
      return { command, flags, runId: rest[0] };
    case 'cancel':
      return { command, flags, runId: rest[0], reason: values.reason };
    case 'rebuild':
      return { command, flags };
    case 'trace': {
      if (!RUN_ID_PATTERN.test(rest[0]))
        throw new UsageError(`"${rest[0]}" is not a run id (run_ followed by its id)`, command);
      return { command, flags, runId: rest[0], events: values.events ?? false };
    }
    default: {
      const never: never = command;
      throw new UsageError(`unknown command "${String(never)}"`);
    }
  }
}

/**
 * `tools disable|enable <tool> --reason "<why>" [--by <who>]` and `tools switches`. Here
 * `--tenant` is the switch's scope, and only the flag sets it (not TETHER_TENANT): without it a
 * switch holds for every tenant.
 */
function parseTools(
  rest: string[],
  values: ReturnType<typeof parse>['values'],
  flags: GlobalFlags,
): Invocation {
  const [, ...args] = rest;
  const action = actionOf('tools', TOOLS_ACTIONS, rest[0]);
  if (action === 'switches') {
    if (args.length) throw new UsageError(`tools switches takes no arguments`, 'tools');
    const own = (['reason', 'by'] as const).find((o) => values[o] !== undefined);
    if (own) throw new UsageError(`tools switches does not take --${own}`, 'tools');
    return { command: 'tools', flags, action };
  }
  const act = action;
  if (args.length !== 1)
    throw new UsageError(`tools ${act} takes <tool>, got ${args.length} argument(s)`, 'tools');
  const reason = values.reason?.trim();
  if (!reason) {
    throw new UsageError(
      `tools ${act} needs --reason "<why>": it is kept with the switch and in the audit trail`,
      'tools',
    );
  }
  return {
    command: 'tools',
    flags,
    action: act,
    tool: args[0],
    reason,
    by: nonEmpty(values.by, 'by', 'tools'),
  };
}

/**
 * `keys create --tenant <id> --subject <user> --roles a,b [--expires 30d] [--name …] [--by …]`,
 * `keys list --tenant <id>`, `keys revoke <keyId> [--by …]`. The tenant comes from the flag only,
 * never from TETHER_TENANT or the default: a key made for the wrong tenant is a security problem.
 */
function parseKeys(
  rest: string[],
  values: ReturnType<typeof parse>['values'],
  flags: GlobalFlags,
): Invocation {
  const [, ...args] = rest;
  const act = actionOf('keys', KEYS_ACTIONS, rest[0]);
  const own: Record<(typeof KEYS_ACTIONS)[number], Array<keyof typeof OPTIONS>> = {
    create: ['subject', 'roles', 'expires', 'name', 'by'],
    list: [],
    revoke: ['by'],
  };
  const stray = (['subject', 'roles', 'expires', 'name', 'by'] as const).find(
    (o) => values[o] !== undefined && !own[act].includes(o),
  );
  if (stray) throw new UsageError(`keys ${act} does not take --${stray}`, 'keys');
  const by = nonEmpty(values.by, 'by', 'keys');

  if (act === 'revoke') {
    if (args.length !== 1)
      throw new UsageError(`keys revoke takes <keyId>, got ${args.length} argument(s)`, 'keys');
    return { command: 'keys', flags, action: act, keyId: args[0], by };
  }
  if (args.length) throw new UsageError(`keys ${act} takes no arguments`, 'keys');
  if (!flags.tenant)
    throw new UsageError(`keys ${act} needs --tenant <id>: keys belong to one tenant`, 'keys');
  if (act === 'list') return { command: 'keys', flags, action: act, tenant: flags.tenant };

  const subject = nonEmpty(values.subject, 'subject', 'keys');
  if (!subject)
    throw new UsageError('keys create needs --subject <user id>: the user the key acts as', 'keys');
  const roles = parseRoles(values.roles, 'keys');
  if (!roles) throw new UsageError('keys create needs --roles, e.g. --roles approver,user', 'keys');
  return {
    command: 'keys',
    flags,
    action: act,
    tenant: flags.tenant,
    subject,
    roles,
    ...(values.expires !== undefined && { expires: parseExpires(values.expires) }),
    ...(values.name !== undefined && { name: nonEmpty(values.name, 'name', 'keys') }),
    by,
  };
}

/**
 * `spend [--by tenant|user|agent|model|day] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--user U]
 * [--agent A] [--model M]`: the tenant's settled spend. `--user` names whose spend, not who asks.
 */
function parseSpend(
  rest: string[],
  values: ReturnType<typeof parse>['values'],
  flags: GlobalFlags,
): Invocation {
  if (rest.length) throw new UsageError(`spend takes no arguments, got ${rest.length}`, 'spend');
  const by = values.by ?? DEFAULT_SPEND_GROUP;
  if (!(SPEND_GROUPS as readonly string[]).includes(by))
    throw new UsageError(`--by must be one of ${SPEND_GROUPS.join(', ')}, not "${by}"`, 'spend');
  const from = day(values.from, 'from');
  const to = day(values.to, 'to');
  if (from !== undefined && to !== undefined && from > to)
    throw new UsageError(`--from ${from} is after --to ${to}`, 'spend');
  const userId = flags.user;
  const agent = nonEmpty(values.agent, 'agent', 'spend');
  const model = nonEmpty(values.model, 'model', 'spend');
  return {
    command: 'spend',
    flags,
    by: by as SpendGroup,
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
    ...(userId !== undefined && { userId }),
    ...(agent !== undefined && { agent }),
    ...(model !== undefined && { model }),
  };
}

/** `--from`/`--to`: a real calendar day, `YYYY-MM-DD` (UTC, as the budget service counts days). */
function day(value: string | undefined, option: 'from' | 'to'): string | undefined {
  if (value === undefined) return undefined;
  const m = DAY.exec(value.trim());
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !date || date.toISOString().slice(0, 10) !== m[0])
    throw new UsageError(`--${option} takes a day as YYYY-MM-DD, not "${value}"`, 'spend');
  return m[0];
}

/**
 * `budget caps` and `budget set <cap> <usd|none> [--tenant T | --global] [--user U] --by WHO
 * --reason WHY`. A cap is money: who changes it and why are both required, with no default.
 */
function parseBudget(
  rest: string[],
  values: ReturnType<typeof parse>['values'],
  flags: GlobalFlags,
): Invocation {
  const [, ...args] = rest;
  const act = actionOf('budget', BUDGET_ACTIONS, rest[0]);
  if (act === 'caps') {
    if (args.length) throw new UsageError('budget caps takes no arguments', 'budget');
    const own = (['by', 'reason', 'global', 'user'] as const).find((o) => values[o] !== undefined);
    if (own) throw new UsageError(`budget caps does not take --${own}`, 'budget');
    return { command: 'budget', flags, action: act };
  }
  if (args.length !== 2)
    throw new UsageError(
      `budget set takes <cap> <usd|none>, got ${args.length} argument(s)`,
      'budget',
    );
  const [capText, amount] = args;
  if (!(CAP_NAMES as readonly string[]).includes(capText))
    throw new UsageError(`unknown cap "${capText}" (caps: ${CAP_NAMES.join(', ')})`, 'budget');
  const cap = capText as CapName;
  const global = values.global ?? false;
  if (global && flags.tenant !== undefined)
    throw new UsageError(
      '--global and --tenant exclude each other: a cap holds for one tenant or for all',
      'budget',
    );
  if (cap.startsWith('global_') && !global)
    throw new UsageError(
      `${cap} holds for the whole installation: pass --global (not --tenant)`,
      'budget',
    );
  const by = values.by?.trim();
  if (!by)
    throw new UsageError('budget set needs --by <who>: it is kept in the audit trail', 'budget');
  const reason = values.reason?.trim();
  if (!reason)
    throw new UsageError(
      'budget set needs --reason "<why>": it is kept with the cap and in the audit trail',
      'budget',
    );
  return {
    command: 'budget',
    flags,
    action: act,
    cap,
    limitUsd: dollars(amount),
    global,
    ...(flags.user !== undefined && { subject: flags.user }),
    by,
    reason,
  };
}

const OUTCOMES = Object.values(Outcome) as string[];
const WHOLE = /^[0-9]+$/;

/**
 * `runs [--user U] [--agent A] [--release R] [--status S] [--outcome O] [--tool T] [--from ISO]
 * [--to ISO] [--limit N] [--cursor C]`: one page of the tenant's runs, newest first.
 */
function parseRuns(
  rest: string[],
  values: ReturnType<typeof parse>['values'],
  flags: GlobalFlags,
): Invocation {
  if (rest.length) throw new UsageError(`runs takes no arguments, got ${rest.length}`, 'runs');
  const { status, outcome, limit, tool } = values;
  if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status))
    throw new UsageError(`--status must be one of ${RUN_STATUSES.join(', ')}`, 'runs');
  if (outcome !== undefined && !OUTCOMES.includes(outcome))
    throw new UsageError(`--outcome must be one of ${OUTCOMES.join(', ')}`, 'runs');
  if (tool !== undefined && !TOOL_NAME_PATTERN.test(tool))
    throw new UsageError(`--tool takes a tool name as agents declare it, not "${tool}"`, 'runs');
  const pageSize = limit === undefined ? undefined : Number(limit.trim());
  if (
    limit !== undefined &&
    !(WHOLE.test(limit.trim()) && pageSize! >= 1 && pageSize! <= MAX_RUN_PAGE)
  )
    throw new UsageError(`--limit takes a whole number from 1 to ${MAX_RUN_PAGE}`, 'runs');
  const from = instant(values.from, 'from');
  const to = instant(values.to, 'to');
  if (from !== undefined && to !== undefined && Date.parse(from) >= Date.parse(to))
    throw new UsageError(`--from ${from} is not before --to ${to}`, 'runs');
  const filters = {
    userId: flags.user,
    agent: nonEmpty(values.agent, 'agent', 'runs'),
    release: nonEmpty(values.release, 'release', 'runs'),
    status: status as RunStatusName | undefined,
    outcome: outcome as Outcome | undefined,
    tool,
    from,
    to,
    limit: pageSize,
    cursor: nonEmpty(values.cursor, 'cursor', 'runs'),
  };
  const set = Object.entries(filters).filter(([, v]) => v !== undefined);
  return { command: 'runs', flags, ...Object.fromEntries(set) };
}

/** `--from`/`--to` of `runs`: an ISO 8601 time with its zone, or a day (its UTC midnight). */
function instant(value: string | undefined, option: 'from' | 'to'): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (DAY.test(text)) {
    const date = new Date(`${text}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text) return text;
  } else if (ISO_TIME.test(text) && !Number.isNaN(Date.parse(text))) return text;
  throw new UsageError(
    `--${option} takes an ISO 8601 time (2026-11-21T09:00:00Z) or a day (2026-11-21), not "${value}"`,
    'runs',
  );
}

/** `<usd|none>`: a non-negative amount of dollars, or `none` to remove the cap. */
function dollars(text: string): number | null {
  const value = text.trim();
  if (value.toLowerCase() === 'none') return null;
  if (!DOLLARS.test(value))
    throw new UsageError(
      `the limit must be dollars (5, 12.50, $0.25) or "none" to remove the cap, not "${text}"`,
      'budget',
    );
  return Number(value.replace('$', ''));
}

function parseExpires(text: string): { expiresIn: string } | { expiresAt: string } {
  const value = text.trim();
  if (DURATION.test(value)) return { expiresIn: value };
  if (ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))) return { expiresAt: value };
  throw new UsageError(
    `--expires takes a duration (90m, 12h, 30d, 8w) or an ISO 8601 time, not "${text}"`,
    'keys',
  );
}

/** The sub-command of `tools`, `keys` or `budget`. */
function actionOf<A extends string>(
  command: CommandName,
  actions: readonly A[],
  action: string | undefined,
): A {
  if ((actions as readonly string[]).includes(action ?? '')) return action as A;
  throw new UsageError(
    action === undefined
      ? `${command} needs an action: ${actions.join(', ')}`
      : `unknown ${command} action "${action}" (actions: ${actions.join(', ')})`,
    command,
  );
}

/** `--roles a,b`: undefined when absent; at least one role when given. */
function parseRoles(value: string | undefined, command: CommandName): string[] | undefined {
  const roles = value
    ?.split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (roles !== undefined && roles.length === 0)
    throw new UsageError('--roles needs at least one role, e.g. --roles user,vip', command);
  return roles;
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(explainParseError(err as Error & { code?: string }));
  }
}

/** node:util's messages are long and mention internals; keep the part a user needs. */
function explainParseError(err: Error & { code?: string }): string {
  const option = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option
        ? `option ${option} ${/argument missing/.test(err.message) ? 'needs a value' : 'does not take a value'}`
        : err.message;
    default:
      return err.message;
  }
}

function commandName(name: string): CommandName {
  if ((COMMAND_NAMES as readonly string[]).includes(name)) return name as CommandName;
  throw new UsageError(`unknown command "${name}" (commands: ${COMMAND_NAMES.join(', ')})`);
}

function nonEmpty(
  value: string | undefined,
  option: string,
  command: CommandName,
): string | undefined {
  if (value !== undefined && value.trim() === '')
    throw new UsageError(`--${option} must not be empty`, command);
  return value;
}
