import { EVENT_TYPES, parseEvent, type EventData, type EventType } from '@tether/contracts';
import {
  aModelResponded,
  aRunStarted,
  aToolCompleted,
  aToolRequested,
  aToolStarted,
  anEvent,
  testEventTime,
} from '@tether/testing';
import {
  EXCERPT_CHARS,
  excerpt,
  exitCodeOf,
  formatDuration,
  formatEvent,
  formatOffset,
  formatOutcome,
} from '../src/event.formatter';

const START = Date.parse(testEventTime(1));
const plain = { startMs: START, color: false };

/** One valid data sample per event type: a new type fails to compile here until it has one. */
const SAMPLES: { [K in EventType]: EventData<K> } = {
  'run.started': aRunStarted(),
  'run.rejected': {
    outcome: 'failed',
    reason: 'invalid_command',
    message: 'The request is invalid.',
    problems: ['userId must be a string'],
  },
  'model.requested': { step: 1, attempt: 2, provider: 'scripted', model: 'scripted-v1' },
  'model.responded': aModelResponded(1, {
    toolCalls: [{ callId: 'call_1_0', name: 'lookup_order', args: { orderId: '1042' } }],
  }),
  'model.failed': { step: 1, attempt: 1, model: 'gpt-x', error: 'rate limited', retryable: true },
  'guardrail.triggered': {
    ruleId: 'pii',
    stage: 'output',
    action: 'redact',
    detail: 'email address',
  },
  'tool.requested': aToolRequested('call_1_0'),
  'tool.denied': {
    callId: 'call_1_0',
    tool: 'issue_refund',
    reason: 'permission_denied',
    message: 'not allowed for role user',
  },
  'tool.started': aToolStarted('call_1_0', { dryRun: true }),
  'tool.completed': aToolCompleted('call_1_0', {
    result: { found: true, status: 'shipped' },
    latencyMs: 12.4,
  }),
  'tool.failed': {
    callId: 'call_1_0',
    tool: 'lookup_order',
    reason: 'tool_error',
    error: 'connection reset',
    retryable: false,
  },
  'approval.requested': {
    approvalId: 'apr_1',
    callId: 'call_1_0',
    tool: 'issue_refund',
    tier: 2,
    args: { amount: 120 },
    requestedBy: 'u_88',
    expiresAt: '2026-01-02T00:00:00.000Z',
    quorum: 1,
  },
  'approval.granted': {
    approvalId: 'apr_1',
    callId: 'call_1_0',
    approverId: 'u_12',
    reason: 'checked',
    editedArgs: { amount: 100 },
  },
  'approval.denied': {
    approvalId: 'apr_1',
    callId: 'call_1_0',
    approverId: 'u_12',
    reason: 'too much',
  },
  'approval.expired': { approvalId: 'apr_1', callId: 'call_1_0' },
  'tool.drafted': {
    draftId: 'drf_1',
    callId: 'call_1_0',
    tool: 'issue_refund',
    tier: 2,
    args: { amount: 120 },
    requestedBy: 'u_88',
    agent: 'refund-agent',
  },
  'review.requested': {
    reviewId: 'rev_1',
    callId: 'call_1_0',
    tool: 'draft_refund_note',
    tier: 1,
    args: { orderId: '1042' },
    requestedBy: 'u_88',
    agent: 'support-agent',
  },
  'budget.reserved': { reservationId: 'res_1', amountUsd: 0.0125, callId: 'call_1_0' },
  'budget.warning': { cap: 'run', spentUsd: 0.8, limitUsd: 1, share: 0.8 },
  'budget.exceeded': { cap: 'run', limitUsd: 1, requestedUsd: 1.2 },
  'run.escalated': { reason: 'unknown_outcome', message: 'charge_card may or may not have run' },
  'run.completed': {
    outcome: 'success',
    reason: 'completed',
    message: 'Done.',
    output: 'Order 1042 shipped on 3 Nov.',
  },
  'run.failed': { outcome: 'failed', reason: 'model_error', message: 'The model is unavailable.' },
  'run.aborted': {
    outcome: 'aborted',
    reason: 'max_steps',
    message: 'Too many steps.',
    limit: 'maxSteps',
    limitValue: 15,
  },
  'run.cancelled': {
    outcome: 'aborted',
    reason: 'cancelled',
    message: 'Cancelled by an operator.',
    requestedBy: 'ops',
  },
};

function sample<T extends EventType>(type: T, seq = 1) {
  return anEvent(type, SAMPLES[type], { seq });
}

describe('formatEvent', () => {
  it('starts each line with the offset from the run start and the type', () => {
    const line = formatEvent(sample('tool.requested', 3), plain);
    expect(line).toBe(
      '  +2.000s  tool.requested      lookup_order {"orderId":"1042"} · tier 0 · call_1_0',
    );
  });

  it('summarizes a model turn by its tool calls, tokens and latency', () => {
    expect(formatEvent(sample('model.responded'), plain)).toContain(
      'step 1 → lookup_order({"orderId":"1042"}) · 400+40 tok · 5ms',
    );
  });

  it('summarizes a text turn by an excerpt of the text', () => {
    const event = anEvent('model.responded', aModelResponded(2, { text: 'Order 1042 shipped.' }));
    expect(formatEvent(event, plain)).toContain('step 2 → "Order 1042 shipped."');
  });

  it('shows a tool result excerpt and the latency', () => {
    expect(formatEvent(sample('tool.completed'), plain)).toContain(
      'lookup_order → {"found":true,"status":"shipped"} · 12ms',
    );
  });

  it('shows the outcome, reason and message of terminal events', () => {
    expect(formatEvent(sample('run.completed'), plain)).toContain(
      'success · completed: Done. · "Order 1042 shipped on 3 Nov."',
    );
    expect(formatEvent(sample('run.aborted'), plain)).toContain(
      'aborted · max_steps: Too many steps. (maxSteps = 15)',
    );
    expect(formatEvent(sample('run.cancelled'), plain)).toContain('(by ops)');
    expect(formatEvent(sample('run.rejected'), plain)).toContain(
      'failed · invalid_command: The request is invalid. [userId must be a string]',
    );
  });

  it('cuts long arguments and results to one short line', () => {
    const event = anEvent(
      'tool.completed',
      aToolCompleted('c', { result: { text: 'x'.repeat(500), more: '\n\nlines' } }),
    );
    const line = formatEvent(event, plain);
    expect(line).not.toContain('\n');
    expect(line).toContain('…');
    expect(line.length).toBeLessThan(160);
  });

  it.each(EVENT_TYPES)('formats %s on one line, from a valid event', (type) => {
    const event = sample(type);
    expect(parseEvent(event).ok).toBe(true);
    const line = formatEvent(event, plain);
    expect(line).toContain(type);
    expect(line).not.toContain('\n');
    expect(line).not.toContain('undefined');
    expect(line).not.toContain('[object Object]');
  });

  it('colours only when asked', () => {
    expect(formatEvent(sample('run.completed'), { ...plain, color: true })).toContain('\u001b[32m');
    expect(formatEvent(sample('run.completed'), plain)).not.toContain('\u001b[');
  });
});

describe('formatOutcome', () => {
  it('ends a successful run with a tick, the duration and the answer', () => {
    expect(formatOutcome(sample('run.completed'), 1234, false)).toBe(
      '✔ success (completed) in 1.23s\nOrder 1042 shipped on 3 Nov.',
    );
  });

  it('ends any other run with a cross and the message for the user', () => {
    expect(formatOutcome(sample('run.failed'), 80, false)).toBe(
      '✖ failed (model_error) in 80ms\nThe model is unavailable.',
    );
  });

  it('says nothing for a non-terminal event', () => {
    expect(formatOutcome(sample('tool.started'), 1, false)).toBe('');
  });
});

describe('exitCodeOf', () => {
  it('is 0 only for a successful outcome', () => {
    expect(exitCodeOf(sample('run.completed'))).toBe(0);
    expect(
      exitCodeOf(anEvent('run.completed', { ...SAMPLES['run.completed'], outcome: 'partial' })),
    ).toBe(1);
    expect(exitCodeOf(sample('run.cancelled'))).toBe(1);
    expect(exitCodeOf(sample('tool.started'))).toBe(1);
    expect(exitCodeOf(undefined)).toBe(1);
  });
});

describe('excerpt', () => {
  it('quotes strings as JSON unless told not to', () => {
    expect(excerpt('hi')).toBe('"hi"');
    expect(excerpt('hi', false)).toBe('hi');
  });

  it(`keeps at most ${EXCERPT_CHARS} characters`, () => {
    const text = excerpt('y'.repeat(1000), false);
    expect(text).toHaveLength(EXCERPT_CHARS);
    expect(text.endsWith('…')).toBe(true);
  });

  it('survives values JSON cannot print', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(excerpt(cyclic)).toBe('[object Object]');
    expect(excerpt(undefined)).toBe('undefined');
  });
});

describe('formatOffset and formatDuration', () => {
  it.each([
    [0, '+0.000s'],
    [42, '+0.042s'],
    [12_300, '+12.300s'],
    [125_100, '+2m05.1s'],
    [179_990, '+3m00.0s'],
    [-5, '-0.005s'],
  ])('offset %d ms is %s', (ms, text) => expect(formatOffset(ms)).toBe(text));

  it.each([
    [420, '420ms'],
    [1234, '1.23s'],
    [125_000, '2m05s'],
    [179_600, '3m00s'],
  ])('duration %d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
