import type { ModelSpec } from '@tether/contracts';
import { BUILT_IN_PRICES, mergePriceTable } from '@tether/models';
import { fold, type ActiveRun, type PendingCall } from '@tether/run-domain';
import { aRunLog, aRunStarted } from '@tether/testing';
import {
  classifierReservation,
  modelReservation,
  toolReservation,
} from '../src/domain/budget-request';

const prices = mergePriceTable({
  version: 'test-1',
  models: { 'openai:gpt-test-2026-01-01': { inputPerMTok: 1, outputPerMTok: 4 } },
  tools: { charge_card: 0.03 },
});
const agent = { instructions: 'Be brief.', tools: [] };
const gpt = { provider: 'openai', id: 'gpt-test-2026-01-01', maxOutputTokens: 1000 } as ModelSpec;

function run(overrides: Parameters<typeof aRunStarted>[0] = {}): ActiveRun {
  return fold(aRunLog([{ type: 'run.started', data: aRunStarted(overrides) }])) as ActiveRun;
}
const call = (tool: string, tier: 0 | 1 | 2 = 1): PendingCall => ({
  callId: 'call_1_0',
  tool,
  tier,
  args: {},
  step: 1,
  status: 'requested',
  attempt: 0,
});

describe(modelReservation.name, () => {
  it('asks for the worst case under an id of the turn and attempt', () => {
    const r = run();
    const req = modelReservation(r, gpt, agent, prices)!;
    expect(req).toMatchObject({
      tenantId: 'acme',
      runId: r.runId,
      userId: 'u_88',
      agent: 'test-agent',
      reservationId: `res_${r.runId}_m1_1`,
      kind: 'model',
      item: 'openai:gpt-test-2026-01-01',
      priceVersion: 'test-1',
    });
    // 1000 output tokens at $4/M alone is $0.004; the prompt adds its bytes at $1/M.
    expect(req.amountUsd).toBeGreaterThan(0.004);
    expect(req.amountUsd).toBeLessThan(0.0045);
    expect(req).not.toHaveProperty('runCapUsd');
  });

  it('grows with the conversation', () => {
    const short = modelReservation(run(), gpt, agent, prices)!.amountUsd!;
    const long = modelReservation(run({ input: 'x'.repeat(100_000) }), gpt, agent, prices)!;
    // Every added byte is a worst-case input token at $1 per million.
    expect(long.amountUsd! - short).toBeCloseTo((100_000 - 'Where is order 1042?'.length) / 1e6, 8);
  });

  it('carries the agent’s own dollar cap', () => {
    const r = run({
      limits: { maxSteps: 5, maxToolCalls: 5, maxTokens: 1000, timeoutMs: 1000, maxCostUsd: 0.5 },
    });
    expect(modelReservation(r, gpt, agent, prices)).toMatchObject({ runCapUsd: 0.5 });
  });

  it('reports the last answered call’s real cost, to be settled before the hold is weighed', () => {
    const r = {
      ...run(),
      lastModelCharge: { reservationId: 'res_x_m1_1', costUsd: 0.001, at: '2026-11-21T10:00:00Z' },
    };
    expect(modelReservation(r, gpt, agent, prices)?.settles).toEqual([r.lastModelCharge]);
    expect(toolReservation(r, call('charge_card'), prices)?.settles).toEqual([r.lastModelCharge]);
    expect(modelReservation(run(), gpt, agent, prices)).not.toHaveProperty('settles');
  });

  it('needs no reservation for a free model', () => {
    const scripted = { provider: 'scripted', id: 'scripted-v1' } as ModelSpec;
    expect(modelReservation(run(), scripted, agent, prices)).toBeUndefined();
  });

  it('asks without an amount for a model with no known price (refused under any cap)', () => {
    const unknown = { provider: 'openai-compatible', id: 'llama-local' } as ModelSpec;
    const req = modelReservation(run(), unknown, agent, BUILT_IN_PRICES)!;
    expect(req.kind).toBe('model');
    expect(req).not.toHaveProperty('amountUsd');
  });
});

describe(toolReservation.name, () => {
  it('holds a priced tool’s price per call under the call’s id', () => {
    const r = run();
    expect(toolReservation(r, call('charge_card'), prices)).toMatchObject({
      reservationId: `res_${r.runId}_call_1_0`,
      kind: 'tool',
      item: 'charge_card',
      amountUsd: 0.03,
    });
  });

  it('needs none for a free tool', () => {
    expect(toolReservation(run(), call('lookup_order'), prices)).toBeUndefined();
  });

  it('needs none for a write that a shadow or dry run will not make, but does for a read', () => {
    expect(
      toolReservation(run({ mode: 'shadow' }), call('charge_card', 2), prices),
    ).toBeUndefined();
    expect(
      toolReservation(run({ mode: 'dry-run' }), call('charge_card', 1), prices),
    ).toBeUndefined();
    expect(toolReservation(run({ mode: 'shadow' }), call('charge_card', 0), prices)).toBeDefined();
  });
});

describe(classifierReservation.name, () => {
  const payer = { tenantId: 'acme', runId: 'run_x', userId: 'u_1', agent: 'a', runCapUsd: 0.5 };
  const prompt = { instructions: 'Score it.', input: 'hello' };

  it('holds the classifier call’s worst case before the run starts, under the run’s own caps', () => {
    expect(classifierReservation(payer, gpt, prompt, prices)).toMatchObject({
      tenantId: 'acme',
      runId: 'run_x',
      userId: 'u_1',
      reservationId: 'res_run_x_classifier',
      kind: 'model',
      item: 'openai:gpt-test-2026-01-01',
      runCapUsd: 0.5,
      amountUsd: expect.any(Number),
    });
  });

  it('needs none for a free classifier model', () => {
    const scripted = { provider: 'scripted', id: 'scripted-v1' } as ModelSpec;
    expect(classifierReservation(payer, scripted, prompt, prices)).toBeUndefined();
  });
});
