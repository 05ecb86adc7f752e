import { isTerminalType, type TetherEvent } from '@tether/contracts';

/**
 * The run metrics the trace-store exports, as data: the adapter registers them on the service's
 * Prometheus registry. Labels name the agent and its release, never the tenant: tenants are
 * many and unbounded, agents and releases are few, so a series count stays small.
 */
export const RUN_METRICS = {
  runs: {
    type: 'counter',
    name: 'tether_runs_total',
    help: 'Runs ended, by outcome and reason code (terminal run events).',
    labelNames: ['agent', 'release', 'outcome', 'reason'],
  },
  runSteps: {
    type: 'histogram',
    name: 'tether_run_steps',
    help: 'Model turns a run took, observed at its terminal event.',
    labelNames: ['agent', 'release'],
    buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55],
  },
  toolCalls: {
    type: 'counter',
    name: 'tether_tool_calls_total',
    help: 'Tool calls ended, by tool and result (completed, failed, denied).',
    labelNames: ['agent', 'release', 'tool', 'result'],
  },
  modelLatency: {
    type: 'histogram',
    name: 'tether_model_latency_seconds',
    help: 'Model call latency (model.responded latencyMs).',
    labelNames: ['agent', 'release'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80],
  },
  toolLatency: {
    type: 'histogram',
    name: 'tether_tool_latency_seconds',
    help: 'Tool call latency (tool.completed and tool.failed latencyMs).',
    labelNames: ['agent', 'release', 'tool'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  },
  tokens: {
    type: 'counter',
    name: 'tether_tokens_total',
    help: 'Model tokens used, by kind (input, output).',
    labelNames: ['agent', 'release', 'kind'],
  },
  cost: {
    type: 'counter',
    name: 'tether_cost_usd_total',
    help: 'Dollars spent on model calls and priced tool calls.',
    labelNames: ['agent', 'release'],
  },
  escalations: {
    type: 'counter',
    name: 'tether_escalations_total',
    help: 'Runs handed to a human (run.escalated).',
    labelNames: ['agent', 'release'],
  },
  guardrails: {
    type: 'counter',
    name: 'tether_guardrail_triggers_total',
    help: 'Guardrail rules that fired, by rule and action.',
    labelNames: ['agent', 'release', 'rule', 'action'],
  },
} as const;

export type RunMetric = keyof typeof RUN_METRICS;

/** One counter increment or histogram observation. */
export interface MetricSample {
  metric: RunMetric;
  labels: Record<string, string>;
  value: number;
}

/** What the metrics need of the run, from its summary once the event is applied. */
export interface RunLabels {
  agent: string | null;
  release: string | null;
  steps: number;
}

/** Label value of a run whose `run.started` the projection has not seen (a rejected run has no release). */
export const UNKNOWN = 'unknown';

/**
 * The samples one event adds, the first time it is projected. Pure: the caller decides which
 * events are fresh, and the same event always gives the same samples.
 */
export function metricSamplesOf(event: TetherEvent, run: RunLabels): MetricSample[] {
  const base = { agent: run.agent ?? UNKNOWN, release: run.release ?? UNKNOWN };
  const sample = (metric: RunMetric, value: number, labels: Record<string, string> = {}) => ({
    metric,
    labels: { ...base, ...labels },
    value,
  });
  if (isTerminalType(event.type)) {
    const { outcome, reason } = event.data as { outcome: string; reason: string };
    return [sample('runs', 1, { outcome, reason }), sample('runSteps', run.steps)];
  }
  switch (event.type) {
    case 'model.responded': {
      const { usage, costUsd, latencyMs } = event.data;
      return [
        sample('modelLatency', latencyMs / 1000),
        sample('tokens', usage.inputTokens, { kind: 'input' }),
        sample('tokens', usage.outputTokens, { kind: 'output' }),
        sample('cost', costUsd),
      ];
    }
    case 'tool.completed': {
      const { tool, latencyMs, costUsd } = event.data;
      return [
        sample('toolCalls', 1, { tool, result: 'completed' }),
        sample('toolLatency', latencyMs / 1000, { tool }),
        ...(costUsd === undefined ? [] : [sample('cost', costUsd)]),
      ];
    }
    case 'tool.failed': {
      const { tool, latencyMs } = event.data;
      return [
        sample('toolCalls', 1, { tool, result: 'failed' }),
        ...(latencyMs === undefined ? [] : [sample('toolLatency', latencyMs / 1000, { tool })]),
      ];
    }
    case 'tool.denied':
      return [sample('toolCalls', 1, { tool: event.data.tool, result: 'denied' })];
    case 'run.escalated':
      return [sample('escalations', 1)];
    case 'guardrail.triggered':
      return [sample('guardrails', 1, { rule: event.data.ruleId, action: event.data.action })];
    default:
      return [];
  }
}
