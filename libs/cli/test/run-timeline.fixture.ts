import { newRunView, type RunTimeline, type RunView } from '@tether/contracts';

export const T0 = '2026-11-21T09:00:00.000Z';

/** T0 plus `ms`, as the trace-store writes times. */
export function at(ms: number): string {
  return new Date(Date.parse(T0) + ms).toISOString();
}

/** A finished run as the trace-store summarises it. */
export function aRunView(overrides: Partial<RunView> = {}): RunView {
  return {
    ...newRunView('acme', 'run_01A'),
    agent: 'support-agent',
    release: 'sha256:ab12',
    userId: 'u_1',
    mode: 'live',
    status: 'completed',
    outcome: 'success',
    reason: 'completed',
    message: 'Done.',
    steps: 2,
    toolCalls: 1,
    inputTokens: 1200,
    outputTokens: 34,
    costUsd: 0.0125,
    createdAt: '2026-11-21T09:00:00.000Z',
    startedAt: '2026-11-21T09:00:00.120Z',
    endedAt: '2026-11-21T09:00:01.620Z',
    durationMs: 1500,
    eventCount: 9,
    ...overrides,
  };
}

const ANSWERED = {
  provider: 'openai',
  requestedModel: 'gpt-4o',
  model: 'gpt-4o-2024-08-06',
  status: 'responded',
  inputTokens: 120,
  outputTokens: 30,
  cachedInputTokens: 20,
  reasoningTokens: 0,
  costUsd: 0.0125,
  error: null,
  retryable: null,
} as const;

const TURN = {
  model: 'gpt-4o-2024-08-06',
  failures: 0,
  inputTokens: 120,
  outputTokens: 30,
  costUsd: 0.0125,
  text: null,
} as const;

const CALL = {
  permission: null,
  rule: null,
  reason: null,
  error: null,
  deniedBy: null,
  attempts: 1,
  dryRun: false,
  costUsd: null,
  guardrail: null,
} as const;

/**
 * A run that touches every part of the timeline, five seconds long: an input guardrail, a model
 * attempt that fails then succeeds, a tool result flagged by a guardrail, a denied call (its row
 * has no step, as tool.denied carries none), a call a person approved, and the answer.
 */
export function aTimeline(): RunTimeline {
  return {
    run: {
      ...aRunView({
        steps: 3,
        toolCalls: 3,
        inputTokens: 360,
        outputTokens: 90,
        costUsd: 0.0475,
        startedAt: T0,
        endedAt: at(5_200),
        durationMs: 5_200,
        eventCount: 24,
      }),
      output: 'Refunded order 7: $20.\nAnything else?',
    },
    steps: [
      {
        ...TURN,
        step: 1,
        attempts: 2,
        failures: 1,
        startedAt: at(10),
        endedAt: at(1_030),
        finishReason: 'tool_calls',
        toolCalls: 2,
        latencyMs: 812,
      },
      {
        ...TURN,
        step: 2,
        attempts: 1,
        startedAt: at(2_000),
        endedAt: at(2_640),
        finishReason: 'tool_calls',
        toolCalls: 1,
        latencyMs: 640,
      },
      {
        ...TURN,
        step: 3,
        attempts: 1,
        startedAt: at(4_500),
        endedAt: at(4_800),
        finishReason: 'stop',
        toolCalls: 0,
        latencyMs: 300,
        text: 'Refunded order 7: $20.\nAnything else?',
      },
    ],
    modelCalls: [
      {
        ...ANSWERED,
        step: 1,
        attempt: 1,
        model: null,
        status: 'failed',
        requestedAt: at(10),
        endedAt: at(160),
        inputTokens: null,
        outputTokens: null,
        cachedInputTokens: null,
        reasoningTokens: null,
        costUsd: null,
        latencyMs: null,
        finishReason: null,
        error: 'HTTP 429 Too Many Requests',
        retryable: true,
      },
      {
        ...ANSWERED,
        step: 1,
        attempt: 2,
        requestedAt: at(218),
        endedAt: at(1_030),
        latencyMs: 812,
        finishReason: 'tool_calls',
      },
      {
        ...ANSWERED,
        step: 2,
        attempt: 1,
        requestedAt: at(2_000),
        endedAt: at(2_640),
        latencyMs: 640,
        finishReason: 'tool_calls',
      },
      {
        ...ANSWERED,
        step: 3,
        attempt: 1,
        requestedAt: at(4_500),
        endedAt: at(4_800),
        latencyMs: 300,
        finishReason: 'stop',
      },
    ],
    toolCalls: [
      {
        ...CALL,
        callId: 'call_1_0',
        tool: 'lookup_order',
        tier: 0,
        step: 1,
        args: { orderId: '7' },
        permission: 'allow',
        status: 'completed',
        requestedAt: at(1_030),
        startedAt: at(1_031),
        endedAt: at(1_045),
        result: { status: 'shipped', email: '[redacted:email]' },
        latencyMs: 14,
        guardrail: 'flag',
      },
      {
        ...CALL,
        callId: 'call_1_1',
        tool: 'delete_order',
        tier: null,
        step: null,
        args: null,
        status: 'denied',
        reason: 'permission_denied',
        error: 'not allowed',
        deniedBy: 'permissions[1]: * × delete_* × * → deny',
        requestedAt: null,
        startedAt: null,
        endedAt: at(1_032),
        attempts: null,
        dryRun: null,
        result: null,
        latencyMs: null,
      },
      {
        ...CALL,
        callId: 'call_2_0',
        tool: 'issue_refund',
        tier: 2,
        step: 2,
        args: {
          orderId: '7',
          amount: 20,
          note: 'The customer wrote three times about this order. '.repeat(4),
        },
        permission: 'ask',
        rule: 'permissions[0]: user × issue_refund × * → ask',
        status: 'completed',
        requestedAt: at(2_640),
        startedAt: at(4_300),
        endedAt: at(4_333),
        result: { refundId: 'rf_1' },
        latencyMs: 33,
        costUsd: 0.01,
      },
    ],
    approvals: [
      {
        approvalId: 'apr_1',
        callId: 'call_2_0',
        tool: 'issue_refund',
        tier: 2,
        requestedBy: 'u_1',
        quorum: 1,
        risk: 'high',
        requestedAt: at(2_641),
        expiresAt: '2026-11-21T10:00:00.000Z',
        status: 'granted',
        approverId: 'ops_1',
        reason: 'checked the order',
        decidedAt: at(4_234),
        edited: false,
      },
    ],
    guardrails: [
      {
        seq: 2,
        ruleId: 'pii.email',
        stage: 'input',
        action: 'flag',
        callId: null,
        detail: 'an email address',
        at: at(5),
      },
      {
        seq: 12,
        ruleId: 'injection.ignore_previous',
        stage: 'tool_result',
        action: 'flag',
        callId: 'call_1_0',
        detail: null,
        at: at(1_044),
      },
    ],
  };
}
