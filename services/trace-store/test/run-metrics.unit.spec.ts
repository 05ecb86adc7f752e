import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aModelResponded, aToolCompleted, anEvent } from '@tether/testing';
import { metricSamplesOf, RUN_METRICS, UNKNOWN, type RunLabels } from '../src/domain/run-metrics';

const run: RunLabels = { agent: 'support-agent', release: 'rel_0123456789abcdef', steps: 2 };
const base = { agent: 'support-agent', release: 'rel_0123456789abcdef' };
const usage = { inputTokens: 420, outputTokens: 31, cachedInputTokens: 7, reasoningTokens: 3 };

describe('metricSamplesOf', () => {
  describe('when a run ends', () => {
    it.each([
      ['run.completed', 'success', 'completed'],
      ['run.failed', 'failed', 'tool_failed'],
      ['run.aborted', 'aborted', 'budget'],
      ['run.cancelled', 'aborted', 'cancelled'],
      ['run.rejected', 'failed', 'invalid_input'],
    ] as const)(
      'counts a %s by outcome and reason, and observes its steps',
      (type, outcome, reason) => {
        const event = anEvent(type, {
          outcome,
          reason,
          message: 'm',
          output: 'o',
          requestedBy: 'u',
        });
        expect(metricSamplesOf(event, run)).toEqual([
          { metric: 'runs', labels: { ...base, outcome, reason }, value: 1 },
          { metric: 'runSteps', labels: base, value: 2 },
        ]);
      },
    );

    it('labels a run whose start it never saw as unknown (a rejected run has no release)', () => {
      const event = anEvent('run.rejected', {
        outcome: 'failed',
        reason: 'unknown_agent',
        message: 'm',
      });
      expect(metricSamplesOf(event, { agent: 'ghost', release: null, steps: 0 })[0].labels).toEqual(
        { agent: 'ghost', release: UNKNOWN, outcome: 'failed', reason: 'unknown_agent' },
      );
    });
  });

  it('turns a model response into latency in seconds, input and output tokens, and dollars', () => {
    const event = anEvent(
      'model.responded',
      aModelResponded(1, { usage, costUsd: 0.0125, latencyMs: 1500 }),
    );
    expect(metricSamplesOf(event, run)).toEqual([
      { metric: 'modelLatency', labels: base, value: 1.5 },
      { metric: 'tokens', labels: { ...base, kind: 'input' }, value: 420 },
      { metric: 'tokens', labels: { ...base, kind: 'output' }, value: 31 },
      { metric: 'cost', labels: base, value: 0.0125 },
    ]);
  });

  describe('when a tool call ends', () => {
    it('counts a completed call with its latency, and its price when it has one', () => {
      const free = anEvent('tool.completed', aToolCompleted('c1', { latencyMs: 250 }));
      expect(metricSamplesOf(free, run)).toEqual([
        {
          metric: 'toolCalls',
          labels: { ...base, tool: 'lookup_order', result: 'completed' },
          value: 1,
        },
        { metric: 'toolLatency', labels: { ...base, tool: 'lookup_order' }, value: 0.25 },
      ]);
      const priced = anEvent('tool.completed', aToolCompleted('c2', { costUsd: 0.03 }));
      expect(metricSamplesOf(priced, run)).toContainEqual({
        metric: 'cost',
        labels: base,
        value: 0.03,
      });
    });

    it('counts a failed call, with its latency only when the failure has one', () => {
      const failed = {
        callId: 'c1',
        tool: 'noop',
        reason: 'tool_error',
        error: 'boom',
        retryable: false,
      };
      expect(metricSamplesOf(anEvent('tool.failed', failed), run)).toEqual([
        { metric: 'toolCalls', labels: { ...base, tool: 'noop', result: 'failed' }, value: 1 },
      ]);
      expect(
        metricSamplesOf(anEvent('tool.failed', { ...failed, latencyMs: 40 }), run),
      ).toContainEqual({ metric: 'toolLatency', labels: { ...base, tool: 'noop' }, value: 0.04 });
    });

    it('counts a denied call', () => {
      const event = anEvent('tool.denied', {
        callId: 'c1',
        tool: 'issue_refund',
        reason: 'permission_denied',
        message: 'no',
      });
      expect(metricSamplesOf(event, run)).toEqual([
        {
          metric: 'toolCalls',
          labels: { ...base, tool: 'issue_refund', result: 'denied' },
          value: 1,
        },
      ]);
    });
  });

  it('counts escalations and guardrail triggers by rule and action', () => {
    expect(
      metricSamplesOf(anEvent('run.escalated', { reason: 'escalated', message: 'm' }), run),
    ).toEqual([{ metric: 'escalations', labels: base, value: 1 }]);
    const triggered = anEvent('guardrail.triggered', {
      ruleId: 'input.scope',
      stage: 'input',
      action: 'refuse',
    });
    expect(metricSamplesOf(triggered, run)).toEqual([
      {
        metric: 'guardrails',
        labels: { ...base, rule: 'input.scope', action: 'refuse' },
        value: 1,
      },
    ]);
  });

  it('adds nothing for events that are not measured', () => {
    expect(
      metricSamplesOf(
        anEvent('tool.requested', { callId: 'c1', tool: 'x', tier: 0, args: {}, step: 1 }),
        run,
      ),
    ).toEqual([]);
  });

  it('only ever uses the labels each metric declares, and never the tenant', () => {
    const samples = [
      anEvent('run.completed', {
        outcome: 'success',
        reason: 'completed',
        message: 'm',
        output: 'o',
      }),
      anEvent('model.responded', aModelResponded(1)),
      anEvent('tool.completed', aToolCompleted('c1', { costUsd: 1 })),
      anEvent('run.escalated', { reason: 'escalated', message: 'm' }),
    ].flatMap((e) => metricSamplesOf(e, run));
    for (const s of samples) {
      expect(Object.keys(s.labels).sort()).toEqual([...RUN_METRICS[s.metric].labelNames].sort());
    }
  });
});

describe('the Grafana dashboard', () => {
  it('asks only for run metrics the trace-store exports', () => {
    const dashboard = readFileSync(
      join(__dirname, '..', '..', '..', 'infra', 'grafana', 'tether-dashboard.json'),
      'utf8',
    );
    const used = new Set(dashboard.match(/tether_[a-z_]+/g));
    const exported = new Set(
      Object.values(RUN_METRICS).flatMap((m) =>
        m.type === 'histogram'
          ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`]
          : [m.name],
      ),
    );
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(8);
  });
});
