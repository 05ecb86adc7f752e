import type { AgentRelease, StartRun, TetherEvent } from '@tether/contracts';
import {
  aRelease,
  aRunLog,
  aRunStarted,
  deciderSpec,
  testEventTime,
  type LogEntry,
} from '@tether/testing';
import {
  decide,
  evolve,
  fold,
  initialState,
  type DecideContext,
  type DecidedEvent,
  type ModelResponse,
  type RunCommand,
  type RunState,
} from '../src';

export const release = aRelease();
/** run.started is seq 1 (TEST_EPOCH + 1 s); with timeoutMs 90 000 the deadline is TEST_EPOCH + 91 s. */
export const STARTED_AT = testEventTime(1);
export const BEFORE_DEADLINE = testEventTime(91);
export const AFTER_DEADLINE = new Date(Date.parse(testEventTime(91)) + 1).toISOString();
export const ctx: DecideContext = { now: testEventTime(10), release };

export const spec = deciderSpec({ decide, evolve, initialState });

export function aStartRun(overrides: Partial<StartRun> = {}): StartRun {
  return {
    runId: 'run_01JTEST0000000000000000000',
    agent: 'test-agent',
    input: 'Where is order 1042?',
    userId: 'u_88',
    roles: ['user'],
    ...overrides,
  } as StartRun;
}

/** `agentRelease` null stands for an agent that is not loaded. */
export function startCommand(
  overrides: Partial<StartRun> = {},
  agentRelease: AgentRelease | null = release,
  requestId?: string,
): RunCommand {
  return {
    type: 'StartRun',
    command: aStartRun(overrides),
    tenantId: 'acme',
    ...(requestId !== undefined && { requestId }),
    release: agentRelease ?? undefined,
  };
}

export const requestModel: RunCommand = {
  type: 'RequestModel',
  provider: 'scripted',
  model: 'scripted-v1',
};

export function aResponse(overrides: Partial<ModelResponse> = {}): ModelResponse {
  return {
    model: 'scripted-v1',
    usage: { inputTokens: 400, outputTokens: 40, cachedInputTokens: 100, reasoningTokens: 0 },
    costUsd: 0.001,
    latencyMs: 12,
    finishReason: overrides.toolCalls?.length ? 'tool_calls' : 'stop',
    ...overrides,
  };
}

export function respond(overrides: Partial<ModelResponse> = {}): RunCommand {
  return { type: 'RecordModelResponse', response: aResponse(overrides) };
}

export function callTools(...names: string[]): RunCommand {
  return respond({ toolCalls: names.map((name, i) => ({ name, args: { n: i } })) });
}

export function startTool(callId: string, dryRun = false): RunCommand {
  return { type: 'StartToolCall', callId, deadline: testEventTime(600), dryRun };
}

export function completeTool(callId: string, ...result: [unknown?]): RunCommand {
  return {
    type: 'CompleteToolCall',
    callId,
    result: result.length ? result[0] : { ok: true },
    latencyMs: 7,
    dryRun: false,
  };
}

export function failTool(callId: string, retryable = false): RunCommand {
  return {
    type: 'FailToolCall',
    callId,
    reason: 'tool_error',
    error: 'upstream said 503',
    retryable,
    latencyMs: 9,
  };
}

/** run.started with the test release, optionally with `run.started` data overrides. */
export function started(
  overrides: Parameters<typeof aRunStarted>[0] = {},
  agentRelease = release,
): LogEntry[] {
  return [{ type: 'run.started', data: aRunStarted(overrides, agentRelease) }];
}

/**
 * Drives a run the way the orchestrator does: decide against the folded log, append what was
 * decided (enveloped with ascending seq), repeat. Keeps the log so tests can inspect or refold it.
 */
export class Driver {
  readonly entries: LogEntry[] = [];

  constructor(
    entries: LogEntry[] = [],
    private readonly context: DecideContext = ctx,
  ) {
    this.entries.push(...entries);
  }

  get log(): TetherEvent[] {
    return aRunLog(this.entries);
  }

  get state(): RunState {
    return fold(this.log);
  }

  do(command: RunCommand, context: Partial<DecideContext> = {}): DecidedEvent[] {
    const decided = decide(command, this.state, { ...this.context, ...context });
    this.entries.push(...decided);
    return decided;
  }

  /** Appends recorded events that come from elsewhere (approval, budget, guardrails). */
  record(...entries: LogEntry[]): this {
    this.entries.push(...entries);
    return this;
  }
}

export function startedDriver(
  overrides: Parameters<typeof aRunStarted>[0] = {},
  agentRelease = release,
): Driver {
  return new Driver(started(overrides, agentRelease), { ...ctx, release: agentRelease });
}

/** Deep-freezes a value so any mutation throws (spec files are strict mode). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export const initial: RunState = initialState();
