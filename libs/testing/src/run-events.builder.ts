import {
  SCHEMA_VERSION,
  type AgentRelease,
  type AgentSpec,
  type EventData,
  type EventEnvelope,
  type EventType,
  type ModelResponded,
  type ModelSpec,
  type ResolvedLimits,
  type RunStarted,
  type TetherEvent,
  type ToolCompleted,
  type ToolRequested,
  type ToolSpec,
  type ToolStarted,
} from '@tether/contracts';

/** Defaults of every built event: one run of one tenant, starting at a fixed instant. */
export const TEST_RUN_ID = 'run_01JTEST0000000000000000000';
export const TEST_TENANT_ID = 'acme';
export const TEST_EPOCH = '2026-01-01T00:00:00.000Z';
export const TEST_SOURCE = 'test@0.0.0';
const EPOCH_MS = Date.parse(TEST_EPOCH);

/** Envelope fields to override; `seq` (1-based, default 1) derives the default id and time. */
export type EventOverrides = Partial<Omit<EventEnvelope, 'type' | 'data'>> & { seq?: number };

/** `evt_` + the sequence, zero-padded: deterministic and valid for the envelope's pattern. */
export function testEventId(seq: number): string {
  return `evt_${String(seq).padStart(26, '0')}`;
}

/** TEST_EPOCH + `seq` seconds. */
export function testEventTime(seq: number): string {
  return new Date(EPOCH_MS + seq * 1000).toISOString();
}

/** A full envelope around `data`, with deterministic id and time (from `overrides.seq`). */
export function anEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  overrides: EventOverrides = {},
): TetherEvent<T> {
  const { seq = 1, ...envelope } = overrides;
  return {
    id: testEventId(seq),
    type,
    schemaVersion: SCHEMA_VERSION[type],
    runId: TEST_RUN_ID,
    tenantId: TEST_TENANT_ID,
    time: testEventTime(seq),
    source: TEST_SOURCE,
    ...envelope,
    data,
  } as TetherEvent<T>;
}

/** An event as a decider returns it, optionally with its own envelope overrides (e.g. `time`). */
export type LogEntry = { type: EventType; data: unknown } & { overrides?: EventOverrides };

/**
 * A run's log: each entry enveloped with seq = position (+ `first` - 1), so ids and times ascend.
 * Accepts what a decider returns, so `runLog([...given, ...decide(...)])` replays a decision.
 */
export function aRunLog(
  entries: Iterable<LogEntry>,
  first = 1,
  overrides: EventOverrides = {},
): TetherEvent[] {
  const out: TetherEvent[] = [];
  let seq = first;
  for (const entry of entries) {
    out.push(
      anEvent(entry.type, entry.data as EventData<EventType>, {
        seq,
        ...overrides,
        ...entry.overrides,
      }),
    );
    seq += 1;
  }
  return out;
}

export interface ReleaseOverrides {
  name?: string;
  release?: string;
  tools?: ToolSpec[];
  /** Merged over the defaults. */
  limits?: Partial<ResolvedLimits>;
  /** Merged over the default model. */
  model?: Partial<ModelSpec>;
  instructions?: string;
  /** Any other spec field. */
  spec?: Partial<AgentSpec>;
}

export const TEST_LIMITS: ResolvedLimits = {
  maxSteps: 15,
  maxToolCalls: 25,
  maxTokens: 200_000,
  timeoutMs: 90_000,
  asyncTimeoutMs: 1_800_000,
  maxInputChars: 20_000,
};

/**
 * `test-agent` on the scripted model with `lookup_order` and `noop` (tier 0) and `issue_refund`
 * (tier 2), allowing every tool to everyone (tier 2 still asks).
 */
export function aRelease(overrides: ReleaseOverrides = {}): AgentRelease {
  const name = overrides.name ?? 'test-agent';
  const limits: ResolvedLimits = { ...TEST_LIMITS, ...overrides.limits };
  const tools: ToolSpec[] = overrides.tools ?? [
    { name: 'lookup_order', tier: 0 },
    { name: 'noop', tier: 0 },
    { name: 'issue_refund', tier: 2 },
  ];
  const spec = {
    name,
    model: { provider: 'scripted', id: 'scripted-v1', ...overrides.model },
    instructions: overrides.instructions ?? 'You help customers with orders.',
    tools,
    limits,
    permissions: [{ role: '*', tool: '*', resource: '*', effect: 'allow' }],
    ...overrides.spec,
  } as AgentSpec;
  return { name, release: overrides.release ?? 'rel_0000000000000000', spec, limits };
}

/** `run.started` data for `release` (default `aRelease()`). */
export function aRunStarted(
  overrides: Partial<RunStarted> = {},
  release: AgentRelease = aRelease(),
): RunStarted {
  const { maxSteps, maxToolCalls, maxTokens, timeoutMs, maxCostUsd } = release.limits;
  return {
    agent: release.name,
    release: release.release,
    input: 'Where is order 1042?',
    userId: 'u_88',
    roles: ['user'],
    mode: 'live',
    model: { provider: release.spec.model.provider, id: release.spec.model.id },
    limits: {
      maxSteps,
      maxToolCalls,
      maxTokens,
      timeoutMs,
      ...(maxCostUsd !== undefined && { maxCostUsd }),
    },
    ...overrides,
  };
}

/** `model.responded` data of turn `step`: plain text unless `toolCalls` are given. */
export function aModelResponded(
  step: number,
  overrides: Partial<ModelResponded> = {},
): ModelResponded {
  return {
    step,
    model: 'scripted-v1',
    usage: { inputTokens: 400, outputTokens: 40, cachedInputTokens: 0, reasoningTokens: 0 },
    costUsd: 0,
    latencyMs: 5,
    finishReason: overrides.toolCalls?.length ? 'tool_calls' : 'stop',
    ...(overrides.toolCalls === undefined && { text: `answer ${step}` }),
    ...overrides,
  };
}

export function aToolRequested(
  callId: string,
  overrides: Partial<ToolRequested> = {},
): ToolRequested {
  return {
    callId,
    tool: 'lookup_order',
    tier: 0,
    args: { orderId: '1042' },
    step: 1,
    ...overrides,
  };
}

export function aToolStarted(callId: string, overrides: Partial<ToolStarted> = {}): ToolStarted {
  return {
    callId,
    tool: 'lookup_order',
    attempt: 1,
    idempotencyKey: `${TEST_RUN_ID}:${callId}`,
    deadline: testEventTime(3600),
    dryRun: false,
    ...overrides,
  };
}

export function aToolCompleted(
  callId: string,
  overrides: Partial<ToolCompleted> = {},
): ToolCompleted {
  return {
    callId,
    tool: 'lookup_order',
    result: { status: 'shipped' },
    latencyMs: 3,
    dryRun: false,
    ...overrides,
  };
}
