import { requestService, newId } from '@tether/event-store';
import { mergePriceTable } from '@tether/models';
import type { TetherEvent } from '@tether/contracts';
import { eventually } from '../../libs/testing/src/infra.helper';
import {
  metricsUrl,
  scrapeMetrics,
  seriesKey,
  seriesOf,
  type ScrapedSample,
} from '../../libs/testing/src/metrics.helper';
import { startStack, type ServiceName, type TestStack } from '../stack';

/**
 * `/metrics` on every service, and the trace-store's run metrics against the log of a known batch
 * of runs: every counter must equal what the events say, once, even after a rebuild.
 */
const TENANT = 'acme';
const SERVICES: ServiceName[] = [
  'trace-store',
  'budget',
  'tool-executor',
  'orchestrator',
  'approval',
  'gateway',
];
const COUNTERS = [
  'tether_runs_total',
  'tether_tool_calls_total',
  'tether_tokens_total',
  'tether_escalations_total',
  'tether_guardrail_triggers_total',
  'tether_run_steps_count',
  'tether_run_steps_sum',
  'tether_model_latency_seconds_count',
  'tether_tool_latency_seconds_count',
];

/** What the run metrics must be, worked out from the runs' logs independently of the projection. */
function expectedFrom(runs: TetherEvent[][]): {
  series: Record<string, number>;
  costUsd: Record<string, number>;
} {
  const series: Record<string, number> = {};
  const costUsd: Record<string, number> = {};
  const add = (name: string, labels: Record<string, string>, v: number) => {
    const key = seriesKey(name, labels);
    series[key] = (series[key] ?? 0) + v;
  };
  for (const events of runs) {
    const started = events.find((e) => e.type === 'run.started');
    if (started?.type !== 'run.started') throw new Error('a run of the batch never started');
    const run = { agent: started.data.agent, release: started.data.release };
    let steps = 0;
    for (const e of events) {
      if (e.type === 'model.responded') {
        steps += 1;
        add('tether_model_latency_seconds_count', run, 1);
        add('tether_tokens_total', { ...run, kind: 'input' }, e.data.usage.inputTokens);
        add('tether_tokens_total', { ...run, kind: 'output' }, e.data.usage.outputTokens);
        costUsd[run.agent] = (costUsd[run.agent] ?? 0) + e.data.costUsd;
      } else if (e.type === 'tool.completed') {
        add('tether_tool_calls_total', { ...run, tool: e.data.tool, result: 'completed' }, 1);
        add('tether_tool_latency_seconds_count', { ...run, tool: e.data.tool }, 1);
        costUsd[run.agent] = (costUsd[run.agent] ?? 0) + (e.data.costUsd ?? 0);
      } else if (e.type === 'tool.failed' || e.type === 'tool.denied') {
        const result = e.type === 'tool.failed' ? 'failed' : 'denied';
        add('tether_tool_calls_total', { ...run, tool: e.data.tool, result }, 1);
        if (e.type === 'tool.failed' && e.data.latencyMs !== undefined)
          add('tether_tool_latency_seconds_count', { ...run, tool: e.data.tool }, 1);
      } else if (e.type === 'run.escalated') {
        add('tether_escalations_total', run, 1);
      } else if (e.type === 'guardrail.triggered') {
        add(
          'tether_guardrail_triggers_total',
          { ...run, rule: e.data.ruleId, action: e.data.action },
          1,
        );
      }
    }
    const end = events.at(-1)!;
    const { outcome, reason } = end.data as { outcome: string; reason: string };
    add('tether_runs_total', { ...run, outcome, reason }, 1);
    add('tether_run_steps_count', run, 1);
    add('tether_run_steps_sum', run, steps);
  }
  return { series, costUsd };
}

function costByAgent(samples: ScrapedSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples)
    if (s.name === 'tether_cost_usd_total')
      out[s.labels.agent] = (out[s.labels.agent] ?? 0) + s.value;
  return out;
}

describe('metrics (every service on NATS and Postgres)', () => {
  let stack: TestStack;
  let traceMetrics: () => Promise<ScrapedSample[]>;
  const batch: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      label: 'metrics',
      services: SERVICES,
      // `metered-agent` pays $0.03 per `noop` call and aborts on its $0.10 cap.
      prices: mergePriceTable({ version: 'test-prices-1', tools: { noop: 0.03 } }),
    });
    const url = metricsUrl(stack.services['trace-store']);
    traceMetrics = () => scrapeMetrics(url);
  });

  afterAll(() => stack?.stop());

  async function runAll(runs: Array<{ agent: string; input?: string }>): Promise<TetherEvent[][]> {
    const ids = runs.map(() => newId('run'));
    batch.push(...ids);
    await Promise.all(runs.map((r, i) => stack.startRun(TENANT, { runId: ids[i], ...r })));
    return Promise.all(ids.map((id) => stack.waitForEnd(TENANT, id, 30_000)));
  }

  /** Waits until the trace-store has counted (at least) `runs` ended runs, then scrapes it. */
  function scrapeOnceCounted(runs: number): Promise<ScrapedSample[]> {
    return eventually(async () => {
      const samples = await traceMetrics();
      const ended = samples
        .filter((s) => s.name === 'tether_runs_total')
        .reduce((sum, s) => sum + s.value, 0);
      return ended >= runs ? samples : undefined;
    }, `the trace-store to count ${runs} ended runs`);
  }

  it('answers GET /metrics on every service with its own process metrics', async () => {
    for (const name of SERVICES) {
      const { config } = stack.services[name];
      const samples = await scrapeMetrics(metricsUrl(stack.services[name]));
      const ofService = (metric: string) =>
        samples.filter((s) => s.name === metric).map((s) => s.labels.service);
      expect({ name, cpu: ofService('process_cpu_user_seconds_total') }).toEqual({
        name,
        cpu: [config.service],
      });
      expect(ofService('nodejs_heap_size_used_bytes')).toEqual([config.service]);
      // Each instance has its own registry: the run metrics are the trace-store's alone.
      expect(samples.some((s) => s.name.startsWith('tether_runs_total'))).toBe(false);
    }
  });

  it('counts a known batch of runs exactly as their events say', async () => {
    const logs = await runAll([
      { agent: 'support-agent' },
      { agent: 'support-agent' },
      { agent: 'support-agent' },
      // Out of scope: refused by the input guardrail, without a model call.
      { agent: 'support-agent', input: 'What is the capital of France?' },
      // An `escalateOn` phrase: escalated to a human, then failed (partial).
      { agent: 'support-agent', input: 'About order 1042: my lawyer will call you.' },
      // Three paid `noop` calls, then aborted on its dollar cap.
      { agent: 'metered-agent' },
    ]);
    const release = (i: number) =>
      (logs[i].find((e) => e.type === 'run.started')!.data as { release: string }).release;
    const support = { agent: 'support-agent', release: release(0) };

    const samples = await scrapeOnceCounted(logs.length);
    const expected = expectedFrom(logs);
    expect(seriesOf(samples, COUNTERS)).toEqual(expected.series);
    // The batch as the agents script it, so a wrong expectation cannot pass unnoticed.
    const key = seriesKey;
    expect(expected.series).toMatchObject({
      [key('tether_runs_total', { ...support, outcome: 'success', reason: 'completed' })]: 3,
      [key('tether_run_steps_count', support)]: 5,
      [key('tether_tool_calls_total', { ...support, tool: 'lookup_order', result: 'completed' })]:
        3,
      [key('tether_tool_calls_total', {
        agent: 'metered-agent',
        release: release(5),
        tool: 'noop',
        result: 'completed',
      })]: 3,
      [key('tether_escalations_total', support)]: 1,
    });
    expect(logs[5].at(-1)).toMatchObject({ type: 'run.aborted', data: { reason: 'budget' } });
    // Tokens: the sum of every `model.responded` usage of the batch, as the log holds it.
    const tokens = (await Promise.all(batch.map((id) => stack.store.read(TENANT, id))))
      .flat()
      .flatMap(({ event }) => (event.type === 'model.responded' ? [event.data.usage] : []));
    const tokenSeries = samples.filter((s) => s.name === 'tether_tokens_total');
    const sumOf = (kind: string) =>
      tokenSeries.filter((s) => s.labels.kind === kind).reduce((n, s) => n + s.value, 0);
    expect(sumOf('input')).toBe(tokens.reduce((n, u) => n + u.inputTokens, 0));
    expect(sumOf('output')).toBe(tokens.reduce((n, u) => n + u.outputTokens, 0));
    expect(sumOf('input')).toBeGreaterThan(0);
    // Dollars: model calls and priced tool calls.
    const cost = costByAgent(samples);
    expect(Object.keys(cost).sort()).toEqual(Object.keys(expected.costUsd).sort());
    for (const agent of Object.keys(cost))
      expect(cost[agent]).toBeCloseTo(expected.costUsd[agent], 9);
    expect(cost['metered-agent']).toBeCloseTo(0.09, 9);
    // No tenant label anywhere.
    expect(samples.filter((s) => s.name.startsWith('tether_') && 'tenant' in s.labels)).toEqual([]);
  });

  it('does not count the replayed events again when the projection is rebuilt', async () => {
    const before = seriesOf(await traceMetrics(), COUNTERS);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    const { lastSeq } = await requestService<{ lastSeq: number }>(
      stack.nc,
      stack.prefix,
      'trace-store',
      'rebuild',
      {},
      10_000,
    );
    await eventually(async () => {
      const { checkpoint } = await requestService<{ checkpoint: number }>(
        stack.nc,
        stack.prefix,
        'trace-store',
        'status',
        {},
        2_000,
      );
      return checkpoint >= lastSeq ? true : undefined;
    }, 'the rebuild to replay the whole log');

    // One more run after the replay: once it is counted, every replayed batch has been too
    // (one instance projects the log in order), and it is the only change.
    const [after] = await runAll([{ agent: 'support-agent' }]);
    const samples = await scrapeOnceCounted(batch.length);
    const added = expectedFrom([after]).series;
    const want = { ...before };
    for (const [k, v] of Object.entries(added)) want[k] = (want[k] ?? 0) + v;
    expect(seriesOf(samples, COUNTERS)).toEqual(want);
  });
});
