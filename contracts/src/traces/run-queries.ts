/**
 * Runs as the trace-store serves them over request/reply (`<P>.svc.trace-store.<op>`, see
 * `TraceOp`): what the gateway, the CLI and operators' own tools read. Every request names the
 * caller's tenant; nothing crosses tenants.
 */
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Outcome } from '../vocabulary';
import { TOKEN_PATTERN } from '../subjects';

export const TRACE_STORE_SERVICE = 'trace-store';

export const TraceOp = {
  /** `RunRef` → `RunView` (NotFoundError for another tenant's) */
  RunGet: 'run.get',
  /** `RunListQuery` → `RunPage` */
  RunList: 'run.list',
  /** `RunRef` → the run's projected events, in log order */
  RunEvents: 'run.events',
  /** `RunRef` → `RunTimeline`: the run with its steps, calls, approvals and guardrail triggers */
  RunTimeline: 'run.timeline',
} as const;
export type TraceOp = (typeof TraceOp)[keyof typeof TraceOp];

/** Every status a run can be in (see the status machine in docs/ARCHITECTURE.md). */
export const RUN_STATUSES = [
  'queued',
  'running',
  'waiting_for_approval',
  'waiting_for_tool',
  'completed',
  'failed',
  'aborted',
  'cancelled',
  'rejected',
] as const;
export type RunStatusName = (typeof RUN_STATUSES)[number];

export const TERMINAL_RUN_STATUSES = [
  'completed',
  'failed',
  'aborted',
  'cancelled',
  'rejected',
] as const satisfies readonly RunStatusName[];
export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];

export function isTerminalRunStatus(status: string): status is TerminalRunStatus {
  return (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
}

/** A run's summary: what an operator asks first about it. */
export interface RunView {
  tenantId: string;
  runId: string;
  agent: string | null;
  /** Content hash of the agent release the run executes. */
  release: string | null;
  userId: string | null;
  mode: string | null;
  status: RunStatusName;
  outcome: Outcome | null;
  reason: string | null;
  /** For the end user. */
  message: string | null;
  /** The final answer; omitted in lists. */
  output?: string | null;
  steps: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Time of the run's first event (ISO 8601). */
  createdAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  eventCount: number;
}

/** A run with nothing known of it yet but its id: queued, every counter at zero. */
export function newRunView(tenantId: string, runId: string): RunView {
  return {
    tenantId,
    runId,
    agent: null,
    release: null,
    userId: null,
    mode: null,
    status: 'queued',
    outcome: null,
    reason: null,
    message: null,
    steps: 0,
    toolCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    createdAt: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    eventCount: 0,
  };
}

/** Names one run of one tenant: the body of `run.get`, `run.events` and `run.timeline`. */
export class RunRef {
  @Matches(TOKEN_PATTERN) tenantId!: string;
  @Matches(TOKEN_PATTERN) runId!: string;
}

export const MAX_RUN_PAGE = 200;

/** Filters of `run.list`; newest first, by keyset. */
export class RunListQuery {
  @Matches(TOKEN_PATTERN) tenantId!: string;
  @IsOptional() @IsString() userId?: string;
  @IsOptional() @IsString() agent?: string;
  @IsOptional() @IsString() release?: string;
  @IsOptional() @IsIn(RUN_STATUSES) status?: RunStatusName;
  @IsOptional() @IsIn(Object.values(Outcome)) outcome?: Outcome;
  /** Runs that called (or asked to call) this tool. */
  @IsOptional() @IsString() tool?: string;
  /** Runs created at or after this instant. */
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  /** Runs created before this instant. */
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
  /** 1–200, default 50. */
  @IsOptional() @IsInt() @Min(1) @Max(MAX_RUN_PAGE) limit?: number;
  /** `nextCursor` of the previous page. */
  @IsOptional() @IsString() cursor?: string;
}

export interface RunPage {
  items: RunView[];
  nextCursor?: string;
}
