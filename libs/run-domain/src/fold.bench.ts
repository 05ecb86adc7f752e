import type { EventData, EventType, TetherEvent } from '@tether/contracts';
import { fold } from './run.evolve';

/**
 * Fold throughput on a realistic run. Not part of the package's API (index.ts does not export it);
 * bench/ loads this file directly. Events per second = events folded / wall time.
 */

const RUN_ID = 'run_01JBENCH000000000000000000';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** 24 events: start, 5 model turns (4 with a tool call: requested, started, completed), completed. */
export function benchRun(): TetherEvent[] {
  const events: TetherEvent[] = [];
  const add = <T extends EventType>(type: T, data: EventData<T>) => {
    const seq = events.length + 1;
    events.push({
      id: `evt_${String(seq).padStart(26, '0')}`,
      type,
      schemaVersion: 1,
      runId: RUN_ID,
      tenantId: 'acme',
      time: new Date(T0 + seq * 250).toISOString(),
      source: 'bench@0.0.0',
      data,
    } as TetherEvent);
  };
  const usage = { inputTokens: 900, outputTokens: 60, cachedInputTokens: 400, reasoningTokens: 0 };
  add('run.started', {
    agent: 'support-agent',
    release: 'rel_0123456789abcdef',
    input: 'Where are my orders 1042, 1043, 1044 and 1045?',
    userId: 'u_88',
    roles: ['user'],
    mode: 'live',
    model: { provider: 'scripted', id: 'scripted-v1' },
    limits: { maxSteps: 15, maxToolCalls: 20, maxTokens: 200_000, timeoutMs: 90_000 },
  });
  for (let step = 1; step <= 5; step++) {
    add('model.requested', { step, attempt: 1, provider: 'scripted', model: 'scripted-v1' });
    if (step === 5) {
      add('model.responded', {
        step,
        model: 'scripted-v1',
        text: 'All four orders shipped on 3 Nov.',
        usage,
        costUsd: 0.0012,
        latencyMs: 420,
        finishReason: 'stop',
      });
      break;
    }
    const callId = `call_${step}_0`;
    const args = { orderId: String(1041 + step) };
    add('model.responded', {
      step,
      model: 'scripted-v1',
      toolCalls: [{ callId, name: 'lookup_order', args }],
      usage,
      costUsd: 0.0011,
      latencyMs: 380,
      finishReason: 'tool_calls',
    });
    add('tool.requested', { callId, tool: 'lookup_order', tier: 0, args, step });
    add('tool.started', {
      callId,
      tool: 'lookup_order',
      attempt: 1,
      idempotencyKey: `${RUN_ID}:${callId}`,
      deadline: new Date(T0 + 60_000).toISOString(),
      dryRun: false,
    });
    add('tool.completed', {
      callId,
      tool: 'lookup_order',
      result: { orderId: args.orderId, status: 'shipped', carrier: 'DHL' },
      latencyMs: 35,
      dryRun: false,
    });
  }
  add('run.completed', {
    outcome: 'success',
    reason: 'completed',
    message: 'The agent finished.',
    output: 'All four orders shipped on 3 Nov.',
  });
  return events;
}

export function measureFold(durationMs = 1000): {
  eventsPerSecond: number;
  events: number;
  folds: number;
  ms: number;
} {
  const events = benchRun();
  let sink = 0;
  // Warm up so the JIT has optimised the fold before timing it.
  for (let i = 0; i < 20_000; i++) sink += fold(events).version;
  let folds = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(durationMs) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 1000; i++) sink += fold(events).version;
    folds += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink !== (folds + 20_000) * events.length) throw new Error('fold bench: unexpected state');
  const ms = Number(elapsed) / 1e6;
  return {
    eventsPerSecond: Math.round((folds * events.length) / (ms / 1000)),
    events: folds * events.length,
    folds,
    ms,
  };
}
