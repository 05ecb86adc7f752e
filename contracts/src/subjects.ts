/**
 * Every subject, stream and durable consumer name of the bus is built here and nowhere else.
 * `<P>` is the prefix (TETHER_PREFIX, default `tether`).
 */

/** A subject token: tenant ids and run ids must be one token, so `.`, `*`, `>` and spaces are excluded. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const PREFIX_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
export const DEFAULT_PREFIX = 'tether';

export const CommandName = {
  RunStart: 'run.start',
  RunCancel: 'run.cancel',
  ApprovalDecide: 'approval.decide',
} as const;
export type CommandName = (typeof CommandName)[keyof typeof CommandName];

export const Header = {
  MsgId: 'Nats-Msg-Id',
  ExpectedLastSubjectSeq: 'Nats-Expected-Last-Subject-Sequence',
  Type: 'Tether-Type',
  /** On an event whose data was offloaded: the SHA-256 in its `dataRef`. */
  DataRef: 'Tether-Data-Ref',
  TraceParent: 'traceparent',
  TraceState: 'tracestate',
  /** On a notice: the stream sequence of the event it copies, in the log. */
  LogSeq: 'Tether-Log-Seq',
} as const;

export interface StreamNames {
  cmd: string;
  evt: string;
  ctl: string;
  /** Notices: copies of the few events a service acts on (see `NoticeAudience`). */
  ntc: string;
}

export function assertPrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(
      `TETHER_PREFIX "${prefix}" is not valid: use 1-32 lower-case letters, digits, "_" or "-", starting with a letter`,
    );
  }
  return prefix;
}

export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/** `<P>` as stream and bucket names spell it: upper case, `-` → `_`. */
function upperPrefix(prefix: string): string {
  return prefix.toUpperCase().replace(/-/g, '_');
}

export function streamNames(prefix: string): StreamNames {
  const p = upperPrefix(prefix);
  return { cmd: `${p}_CMD`, evt: `${p}_EVT`, ctl: `${p}_CTL`, ntc: `${p}_NTC` };
}

export interface BucketNames {
  /** The kill switches every service instance watches (keys: see `switchKey`). */
  switches: string;
}

/** JetStream KV buckets of a prefix: `<P>` upper-cased + `_SWITCHES`. */
export function bucketNames(prefix: string): BucketNames {
  return { switches: `${upperPrefix(prefix)}_SWITCHES` };
}

export interface ObjectBucketNames {
  /** Event data too large for a message, content-addressed: objects `<tenant>/<sha256>`. */
  payloads: string;
  /** The latest folded state of long runs, a cache of their log: objects `<tenant>/<runId>`. */
  snapshots: string;
}

/** JetStream object store buckets of a prefix: `<P>` upper-cased + `_PAYLOADS`, `_SNAPSHOTS`. */
export function objectBucketNames(prefix: string): ObjectBucketNames {
  const p = upperPrefix(prefix);
  return { payloads: `${p}_PAYLOADS`, snapshots: `${p}_SNAPSHOTS` };
}

/** JetStream keeps an object store bucket in a stream of this name: `OBJ_<bucket>`. */
export function objectStreamName(bucket: string): string {
  return `OBJ_${bucket}`;
}

/** JetStream keeps a KV bucket in a stream of this name: `KV_<bucket>`. */
export function kvStreamName(bucket: string): string {
  return `KV_${bucket}`;
}

/** The scope of a switch that holds for every tenant, in keys and subjects; no tenant may be called this. */
export const ALL_TENANTS = '_all';

/** What a switch turns off. Only tools so far; agents and intake come later. */
export const SwitchTarget = { Tool: 'tool' } as const;
export type SwitchTarget = (typeof SwitchTarget)[keyof typeof SwitchTarget];

/**
 * A key of the switches bucket: `<target>.<tenant|_all>.<name>`, e.g. `tool.acme.issue_refund`
 * (for tenant acme) or `tool._all.issue_refund` (every tenant). The name is the rest of the key,
 * so tool names with dots (`crm.search`) fit; a watcher on `tool.acme.>` sees one tenant's.
 */
export function switchKey(scope: string, name: string, target: SwitchTarget = 'tool'): string {
  return `${target}.${scope}.${name}`;
}

/** Parses a switch key; undefined for a key of another shape (or of a target this version does not know). */
export function parseSwitchKey(
  key: string,
): { target: SwitchTarget; scope: string; name: string } | undefined {
  const [target, scope, ...rest] = key.split('.');
  if (target !== SwitchTarget.Tool || scope === undefined || rest.length === 0) return undefined;
  return { target, scope, name: rest.join('.') };
}

export const subjects = {
  /** `<P>.cmd.<tenant>.<command>`, e.g. `tether.cmd.acme.run.start`. */
  command: (prefix: string, tenant: string, command: CommandName) =>
    `${prefix}.cmd.${tenant}.${command}`,
  /** Every command of every tenant of one kind, for a consumer filter. */
  /** `<P>.cmd.<tenant>.run.resume`: drive a parked run again (see `RunResume`). */
  runResume: (prefix: string, tenant: string) => `${prefix}.cmd.${tenant}.run.resume`,
  /** `<P>.ctl.<tenant>.approval`: votes and refused decisions (see `ApprovalAudit`). */
  approvalAudit: (prefix: string, tenant: string) => `${prefix}.ctl.${tenant}.approval`,
  /** `<P>.cmd.<tenant>.timer.deadline`: a run's deadline, held back until due. */
  runDeadline: (prefix: string, tenant: string) => `${prefix}.cmd.${tenant}.timer.deadline`,
  /** Commands of every tenant: `run.start`, or a family such as `run.>`. */
  commandFilter: (
    prefix: string,
    command: CommandName | 'run.>' | 'approval.>' | 'timer.deadline',
  ) => `${prefix}.cmd.*.${command}`,
  /** `<P>.evt.<tenant>.<runId>`: every event of one run, in order. */
  run: (prefix: string, tenant: string, runId: string) => `${prefix}.evt.${tenant}.${runId}`,
  /** Every run of one tenant (`tenant` may be `*`). */
  tenantEvents: (prefix: string, tenant: string) => `${prefix}.evt.${tenant}.>`,
  allEvents: (prefix: string) => `${prefix}.evt.>`,
  /**
   * `<P>.end.<tenant>.<runId>`: the run's terminal event once more, published on core NATS (not
   * stored) by its appender as soon as the log has it, for clients that wait for the outcome
   * only.
   */
  runEnd: (prefix: string, tenant: string, runId: string) => `${prefix}.end.${tenant}.${runId}`,
  /** The ends of every run of one tenant. */
  tenantEnds: (prefix: string, tenant: string) => `${prefix}.end.${tenant}.*`,
  /**
   * `<P>.ntc.<audience>.<tenant>.<runId>`: an event of the run's log copied for the one service
   * that acts on it (internal; see `NoticeAudience`).
   */
  notice: (prefix: string, audience: string, tenant: string, runId: string) =>
    `${prefix}.ntc.${audience}.${tenant}.${runId}`,
  /** Every notice for one audience, for its consumer's filter. */
  audienceNotices: (prefix: string, audience: string) => `${prefix}.ntc.${audience}.>`,
  allNotices: (prefix: string) => `${prefix}.ntc.>`,
  allCommands: (prefix: string) => `${prefix}.cmd.>`,
  allControl: (prefix: string) => `${prefix}.ctl.>`,
  /** `<P>.ctl.<tenant>.rejected`: commands that could not be parsed at all. */
  rejectedCommands: (prefix: string, tenant: string) => `${prefix}.ctl.${tenant}.rejected`,
  /** `<P>.ctl.<tenant|_all>.switch.<target>`: the audit record (`switch.flipped`) of every switch flip. */
  switchFlips: (prefix: string, scope: string, target: SwitchTarget = 'tool') =>
    `${prefix}.ctl.${scope}.switch.${target}`,
  /** Every switch flip of every scope and target, for a consumer filter. */
  allSwitchFlips: (prefix: string) => `${prefix}.ctl.*.switch.>`,
  /** `<P>.ctl.<tenant|_all>.budget.cap`: the audit record (`budget.cap.changed`) of every cap change. */
  budgetCaps: (prefix: string, tenant: string) => `${prefix}.ctl.${tenant}.budget.cap`,
  /** `<P>.ctl.<tenant>.budget.spike`: a tenant's spend spike (`budget.spike`). */
  budgetSpikes: (prefix: string, tenant: string) => `${prefix}.ctl.${tenant}.budget.spike`,
  /** `<P>.ctl.<tenant>.alert`: an alert rule that fired for one of the tenant's agents (`alert.fired`). */
  alerts: (prefix: string, tenant: string) => `${prefix}.ctl.${tenant}.alert`,
  /** Messages a durable consumer gave up on, with the error, for operators to inspect and replay. */
  deadLetter: (prefix: string, durable: string) => `${prefix}.ctl.system.deadletter.${durable}`,
  /** Internal request/reply between services (core NATS, not stored). */
  service: (prefix: string, service: string, operation: string) =>
    `${prefix}.svc.${service}.${operation}`,
} as const;

/** Parses `<P>.cmd.<tenant>.<command…>`; undefined when the subject is not a command subject. */
export function parseCommandSubject(
  prefix: string,
  subject: string,
): { tenant: string; command: string } | undefined {
  const head = `${prefix}.cmd.`;
  if (!subject.startsWith(head)) return undefined;
  const rest = subject.slice(head.length);
  const dot = rest.indexOf('.');
  if (dot <= 0) return undefined;
  return { tenant: rest.slice(0, dot), command: rest.slice(dot + 1) };
}

/** Parses `<P>.evt.<tenant>.<runId>`. */
export function parseRunSubject(
  prefix: string,
  subject: string,
): { tenant: string; runId: string } | undefined {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== prefix || parts[1] !== 'evt') return undefined;
  return { tenant: parts[2], runId: parts[3] };
}

/** Durable consumers are named `<service>-<purpose>`. */
export function consumerName(service: string, purpose: string): string {
  return `${service}-${purpose}`;
}
