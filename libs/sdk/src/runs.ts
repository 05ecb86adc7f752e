import {
  MAX_RUN_PAGE,
  Outcome,
  RUN_ID_PATTERN,
  RUN_STATUSES,
  RunListQuery,
  SCHEMA_VERSION,
  TraceOp,
  isEventType,
  parseAs,
  parseEvent,
  type RunPage,
  type RunTimeline,
  type RunView,
  APPROVAL_STATUSES,
  MODEL_CALL_STATUSES,
  TOOL_CALL_STATUSES,
} from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import {
  isAmount,
  isAmountOrNull,
  isCount,
  isString,
  isStringOrNull,
  problemsOf,
  type Shape,
} from './reply.shape';
import { InvalidReplyError } from './sdk.errors';
import type { LogEntry } from './tether.client';

/** How long a query waits for the trace-store. */
export const TRACE_REQUEST_MS = 10_000;

/** The filters of `run.list`; the tenant is always the client's. */
export type RunFilters = Omit<RunListQuery, 'tenantId'>;

/**
 * The runs of the client's tenant as the trace-store projects them: `client.runs`. What it
 * answers lags the log by the projection's delay (see `traceStoreStatus()`).
 */
export interface Runs {
  /** One page of runs, newest first; pass `nextCursor` back as `cursor` for the next one. */
  list(filters?: RunFilters): Promise<RunPage>;
  /** The run's summary with its final answer; `NotFoundError` when the tenant has no such run. */
  get(runId: string): Promise<RunView>;
  /** The run's projected events in log order, each with its `_EVT` sequence; empty for an unknown run. */
  events(runId: string): Promise<LogEntry[]>;
  /**
   * What the run did: the run with its final answer, then its model turns, model call attempts,
   * tool calls, approvals and guardrail triggers, each oldest first; `NotFoundError` when the
   * tenant has no such run.
   */
  timeline(runId: string): Promise<RunTimeline>;
}

/** One request/reply to `<P>.svc.trace-store.<op>`, as the client sends it. */
export type TraceRequest = <T>(op: TraceOp, body: unknown) => Promise<T>;

/** `client.runs`: input is checked before anything is sent, and every answer before it is returned. */
export function runsOf(request: TraceRequest, tenant: string): Runs {
  return {
    async list(filters = {}) {
      const body = listBody(tenant, filters);
      const parsed = parseAs(RunListQuery, body);
      if (!parsed.ok) throw new ValidationError('invalid run list query', parsed.problems);
      return checkPage(await request<unknown>(TraceOp.RunList, body));
    },

    async get(runId) {
      const reply = await request<unknown>(TraceOp.RunGet, runBody(tenant, runId));
      const problems = problemsOf(reply, RUN, 'run');
      if (problems.length) refuse(TraceOp.RunGet, problems);
      return reply as RunView;
    },

    async timeline(runId) {
      return checkTimeline(await request<unknown>(TraceOp.RunTimeline, runBody(tenant, runId)));
    },

    async events(runId) {
      const reply = await request<unknown>(TraceOp.RunEvents, runBody(tenant, runId));
      return checkEvents(reply);
    },
  };
}

/** The fields of the contract only: a caller's extra properties (a tenant among them) are not sent. */
function listBody(tenantId: string, filters: RunFilters): RunListQuery {
  const f = (filters ?? {}) as Partial<RunFilters>;
  return {
    tenantId,
    ...(f.userId !== undefined && { userId: f.userId }),
    ...(f.agent !== undefined && { agent: f.agent }),
    ...(f.release !== undefined && { release: f.release }),
    ...(f.status !== undefined && { status: f.status }),
    ...(f.outcome !== undefined && { outcome: f.outcome }),
    ...(f.tool !== undefined && { tool: f.tool }),
    ...(f.from !== undefined && { from: f.from }),
    ...(f.to !== undefined && { to: f.to }),
    ...(f.limit !== undefined && { limit: f.limit }),
    ...(f.cursor !== undefined && { cursor: f.cursor }),
  };
}

function runBody(tenantId: string, runId: string): { tenantId: string; runId: string } {
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId))
    throw new ValidationError('invalid run id', [
      `"${runId}" is not "run_" followed by a subject-safe id`,
    ]);
  return { tenantId, runId };
}

const RUN: Shape = {
  tenantId: isString,
  runId: isString,
  agent: isStringOrNull,
  release: isStringOrNull,
  userId: isStringOrNull,
  mode: isStringOrNull,
  status: (v) => (RUN_STATUSES as readonly unknown[]).includes(v),
  outcome: (v) => v === null || (Object.values(Outcome) as unknown[]).includes(v),
  reason: isStringOrNull,
  message: isStringOrNull,
  steps: isCount,
  toolCalls: isCount,
  inputTokens: isCount,
  outputTokens: isCount,
  costUsd: isAmount,
  createdAt: isStringOrNull,
  startedAt: isStringOrNull,
  endedAt: isStringOrNull,
  durationMs: (v) => v === null || isAmount(v),
  eventCount: isCount,
};

const oneOf =
  (...values: unknown[]) =>
  (v: unknown) =>
    values.includes(v);
const isCountOrNull = (v: unknown) => v === null || isCount(v);
const isBooleanOrNull = (v: unknown) => v === null || typeof v === 'boolean';
const isObjectOrNull = (v: unknown) => v === null || (typeof v === 'object' && !Array.isArray(v));

/** The rows of `run.timeline`, field by field (contracts/src/traces/run-timeline.ts). */
const TIMELINE_ROWS: Record<Exclude<keyof RunTimeline, 'run'>, Shape> = {
  steps: {
    step: isCount,
    model: isStringOrNull,
    attempts: isCountOrNull,
    failures: isCount,
    startedAt: isStringOrNull,
    endedAt: isStringOrNull,
    finishReason: isStringOrNull,
    toolCalls: isCountOrNull,
    inputTokens: isCountOrNull,
    outputTokens: isCountOrNull,
    costUsd: isAmountOrNull,
    latencyMs: isAmountOrNull,
    text: isStringOrNull,
  },
  modelCalls: {
    step: isCount,
    attempt: isCount,
    provider: isStringOrNull,
    requestedModel: isStringOrNull,
    model: isStringOrNull,
    status: oneOf(...MODEL_CALL_STATUSES),
    requestedAt: isStringOrNull,
    endedAt: isStringOrNull,
    inputTokens: isCountOrNull,
    outputTokens: isCountOrNull,
    cachedInputTokens: isCountOrNull,
    reasoningTokens: isCountOrNull,
    costUsd: isAmountOrNull,
    latencyMs: isAmountOrNull,
    finishReason: isStringOrNull,
    error: isStringOrNull,
    retryable: isBooleanOrNull,
  },
  toolCalls: {
    callId: isString,
    tool: isStringOrNull,
    tier: isCountOrNull,
    step: isCountOrNull,
    args: isObjectOrNull,
    permission: isStringOrNull,
    rule: isStringOrNull,
    status: oneOf(...TOOL_CALL_STATUSES),
    reason: isStringOrNull,
    error: isStringOrNull,
    deniedBy: isStringOrNull,
    requestedAt: isStringOrNull,
    startedAt: isStringOrNull,
    endedAt: isStringOrNull,
    attempts: isCountOrNull,
    dryRun: isBooleanOrNull,
    latencyMs: isAmountOrNull,
    costUsd: isAmountOrNull,
    guardrail: isStringOrNull,
  },
  approvals: {
    approvalId: isString,
    callId: isStringOrNull,
    tool: isStringOrNull,
    tier: isCountOrNull,
    requestedBy: isStringOrNull,
    quorum: isCountOrNull,
    risk: isStringOrNull,
    requestedAt: isStringOrNull,
    expiresAt: isStringOrNull,
    status: oneOf(...APPROVAL_STATUSES),
    approverId: isStringOrNull,
    reason: isStringOrNull,
    decidedAt: isStringOrNull,
    edited: isBooleanOrNull,
  },
  guardrails: {
    seq: isCount,
    ruleId: isStringOrNull,
    stage: isStringOrNull,
    action: isStringOrNull,
    callId: isStringOrNull,
    detail: isStringOrNull,
    at: isStringOrNull,
  },
};

/** A projected event as the trace-store stores it: the envelope without its schema version. */
const ROW: Shape = {
  seq: isCount,
  eventId: isString,
  type: isEventType,
  time: isString,
  tenantId: isString,
  runId: isString,
  source: isString,
};

function refuse(op: TraceOp, problems: string[]): never {
  throw new InvalidReplyError(`unexpected trace-store ${op} reply`, problems, 'trace-store', op);
}

function checkPage(reply: unknown): RunPage {
  const problems = problemsOf(reply, { items: Array.isArray }, 'page');
  if (!problems.length) {
    const page = reply as RunPage;
    problems.push(...page.items.flatMap((r, i) => problemsOf(r, RUN, `page.items[${i}]`)));
    if (page.nextCursor !== undefined && !isString(page.nextCursor))
      problems.push('page.nextCursor is not a string');
    if (page.items.length > MAX_RUN_PAGE) problems.push(`page has over ${MAX_RUN_PAGE} items`);
  }
  if (problems.length) refuse(TraceOp.RunList, problems);
  return reply as RunPage;
}

function checkTimeline(reply: unknown): RunTimeline {
  const problems = problemsOf(reply, {}, 'timeline');
  if (!problems.length) {
    const timeline = reply as Record<string, unknown>;
    problems.push(...problemsOf(timeline.run, RUN, 'timeline.run'));
    for (const [list, shape] of Object.entries(TIMELINE_ROWS)) {
      const rows = timeline[list];
      if (!Array.isArray(rows)) problems.push(`timeline.${list} is not a list`);
      else
        problems.push(
          ...rows.flatMap((row, i) => problemsOf(row, shape, `timeline.${list}[${i}]`)),
        );
    }
  }
  if (problems.length) refuse(TraceOp.RunTimeline, problems);
  return reply as RunTimeline;
}

/**
 * The trace-store keeps events as they were projected, upcast to the current version, so each
 * row is checked as an envelope of its type's current schema version.
 */
function checkEvents(reply: unknown): LogEntry[] {
  if (!Array.isArray(reply)) refuse(TraceOp.RunEvents, ['the reply is not a list']);
  const problems: string[] = [];
  const entries: LogEntry[] = [];
  reply.forEach((row: Record<string, unknown>, i) => {
    const shape = problemsOf(row, ROW, `[${i}]`);
    if (shape.length) return problems.push(...shape);
    const type = row.type as keyof typeof SCHEMA_VERSION;
    const parsed = parseEvent({
      id: row.eventId,
      type,
      schemaVersion: SCHEMA_VERSION[type],
      runId: row.runId,
      tenantId: row.tenantId,
      time: row.time,
      source: row.source,
      ...(row.causationId != null && { causationId: row.causationId }),
      ...(row.traceparent != null && { traceparent: row.traceparent }),
      data: row.data,
    });
    if (!parsed.ok) return problems.push(...parsed.problems.map((p) => `[${i}] ${p}`));
    entries.push({ seq: row.seq as number, event: parsed.value });
  });
  if (problems.length) refuse(TraceOp.RunEvents, problems);
  return entries;
}
