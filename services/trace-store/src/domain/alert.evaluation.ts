import { AlertUnit, type AlertFired } from '@tether/contracts';
import {
  HOUR_MS,
  type AbortRateRule,
  type AlertRule,
  type CostSpikeRule,
  type LatencyP99Rule,
  type ToolErrorRateRule,
} from './alert-rules';

/** Whose runs a measure is about; `release` is null when the rule looks at the agent as a whole. */
export interface AlertGroup {
  tenantId: string;
  agent: string;
  release: string | null;
}

/** One string per group, for maps. */
export const groupKey = (g: AlertGroup): string => JSON.stringify([g.tenantId, g.agent, g.release]);

/** [start, end): the window a rule measures, and the bucket that makes an alert once-only. */
export interface AlertWindow {
  start: Date;
  end: Date;
  /** The start of the window-length slot `end` falls in: a group fires at most once per bucket. */
  bucket: Date;
}

export interface ToolCallCounts {
  /** Tool calls that ended `failed`. */
  failed: number;
  /** Tool calls that ended `completed` or `failed` (denied calls never ran). */
  finished: number;
}

export interface RunEndCounts {
  /** Runs that ended (rejected ones never started and are not counted). */
  ended: number;
  /** Aborted runs among them, by reason. */
  abortedByReason: Readonly<Record<string, number>>;
}

export interface LatencyStats {
  /** The 99th percentile (nearest rank) in ms. */
  p99Ms: number;
  count: number;
}

export interface SpendStats {
  /** Dollars of the priced calls that ended in the window. */
  windowUsd: number;
  calls: number;
  /** Dollars over the trailing period (`baselineRange`). */
  trailingUsd: number;
}

/** What crossed a threshold, in the rule's unit. */
export interface Verdict {
  unit: AlertUnit;
  observed: number;
  threshold: number;
  sampleSize: number;
  baselineUsd?: number;
}

export function windowOf(rule: Pick<AlertRule, 'windowMs'>, now: Date): AlertWindow {
  const end = now.getTime();
  return {
    start: new Date(end - rule.windowMs),
    end: new Date(end),
    bucket: new Date(Math.floor(end / rule.windowMs) * rule.windowMs),
  };
}

/**
 * The trailing period a cost spike is compared with: `baselineMs` of whole hours ending where the
 * hour of the window's start begins. Aligned to hours so that one query serves an hour of
 * evaluations, instead of re-reading a day of calls every few seconds.
 */
export function baselineRange(
  rule: CostSpikeRule,
  window: AlertWindow,
): { start: Date; end: Date } {
  const end = Math.floor(window.start.getTime() / HOUR_MS) * HOUR_MS;
  return { start: new Date(end - rule.baselineMs), end: new Date(end) };
}

export function inScope(rule: AlertRule, group: AlertGroup): boolean {
  return (
    (!rule.tenants || rule.tenants.includes(group.tenantId)) &&
    (!rule.agents || rule.agents.includes(group.agent))
  );
}

function rateVerdict(
  rule: { threshold: number; minSample: number },
  hits: number,
  sample: number,
): Verdict | undefined {
  if (sample < rule.minSample || sample === 0 || !(hits / sample > rule.threshold))
    return undefined;
  return {
    unit: AlertUnit.Ratio,
    observed: round(hits / sample, 4),
    threshold: rule.threshold,
    sampleSize: sample,
  };
}

export function toolErrorVerdict(rule: ToolErrorRateRule, c: ToolCallCounts): Verdict | undefined {
  return rateVerdict(rule, c.failed, c.finished);
}

export function abortVerdict(rule: AbortRateRule, c: RunEndCounts): Verdict | undefined {
  const counted = Object.entries(c.abortedByReason).filter(
    ([reason]) => !rule.reasons || rule.reasons.includes(reason),
  );
  return rateVerdict(
    rule,
    counted.reduce((n, [, k]) => n + k, 0),
    c.ended,
  );
}

export function latencyVerdict(rule: LatencyP99Rule, s: LatencyStats): Verdict | undefined {
  if (s.count < rule.minSample || !(s.p99Ms > rule.thresholdMs)) return undefined;
  return {
    unit: AlertUnit.Ms,
    observed: Math.round(s.p99Ms),
    threshold: rule.thresholdMs,
    sampleSize: s.count,
  };
}

/**
 * Spend above the lower of the two limits: `multiple` × the trailing average of a window (never
 * below `minUsd`; none without history) and `maxUsd`.
 */
export function costVerdict(rule: CostSpikeRule, s: SpendStats): Verdict | undefined {
  const baselineUsd = (s.trailingUsd * rule.windowMs) / rule.baselineMs;
  const limits: number[] = [];
  if (rule.multiple !== null && baselineUsd > 0)
    limits.push(Math.max(rule.multiple * baselineUsd, rule.minUsd));
  if (rule.maxUsd !== null) limits.push(rule.maxUsd);
  if (limits.length === 0) return undefined;
  const threshold = Math.min(...limits);
  if (!(s.windowUsd > threshold)) return undefined;
  return {
    unit: AlertUnit.Usd,
    observed: round(s.windowUsd, 6),
    threshold: round(threshold, 6),
    sampleSize: s.calls,
    baselineUsd: round(baselineUsd, 6),
  };
}

/**
 * What makes an alert the same alert on every instance: rule, tenant, agent, release and bucket.
 * JSON, so no value can run into the next.
 */
export function alertKey(rule: AlertRule, group: AlertGroup, window: AlertWindow): string {
  return JSON.stringify([
    rule.name,
    group.tenantId,
    group.agent,
    group.release,
    window.bucket.toISOString(),
  ]);
}

/** `20261121T1205Z`: a bucket as it starts an alert's id, so ids sort by time. */
export function bucketLabel(bucket: Date): string {
  return bucket
    .toISOString()
    .replace(/:\d\d\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function alertOf(
  id: string,
  rule: AlertRule,
  group: AlertGroup,
  window: AlertWindow,
  v: Verdict,
): AlertFired {
  return {
    id,
    type: 'alert.fired',
    time: window.end.toISOString(),
    rule: rule.name,
    kind: rule.kind,
    tenantId: group.tenantId,
    agent: group.agent,
    ...(group.release !== null && { release: group.release }),
    ...(rule.kind === 'latency_p99' && { of: rule.of }),
    windowStart: window.start.toISOString(),
    windowEnd: window.end.toISOString(),
    unit: v.unit,
    observed: v.observed,
    threshold: v.threshold,
    sampleSize: v.sampleSize,
    ...(v.baselineUsd !== undefined && { baselineUsd: v.baselineUsd }),
    summary: summaryOf(rule, group, v),
  };
}

export function summaryOf(rule: AlertRule, group: AlertGroup, v: Verdict): string {
  const who = `${group.agent}${group.release ? ` (${group.release})` : ''} on ${group.tenantId}`;
  const window = duration(rule.windowMs);
  switch (rule.kind) {
    case 'tool_error_rate':
      return `${who}: ${percent(v.observed)} of ${v.sampleSize} tool calls failed in ${window} (above ${percent(v.threshold)})`;
    case 'abort_rate': {
      const why = rule.reasons ? ` (${rule.reasons.join(', ')})` : '';
      return `${who}: ${percent(v.observed)} of ${v.sampleSize} runs aborted${why} in ${window} (above ${percent(v.threshold)})`;
    }
    case 'latency_p99': {
      const what = rule.of === 'run' ? 'run duration' : 'model call latency';
      const over = rule.of === 'run' ? 'runs' : 'calls';
      return `${who}: p99 ${what} ${duration(v.observed)} over ${v.sampleSize} ${over} in ${window} (above ${duration(v.threshold)})`;
    }
    case 'cost_spike': {
      const base = v.baselineUsd
        ? `, ${(v.observed / v.baselineUsd).toFixed(1)}× the trailing average of ${dollars(v.baselineUsd)}`
        : '';
      return `${who}: ${dollars(v.observed)} spent in ${window}${base} (above ${dollars(v.threshold)})`;
    }
    default: {
      const never: never = rule;
      return never;
    }
  }
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const percent = (ratio: number) => `${round(ratio * 100, 1)}%`;

function dollars(usd: number): string {
  return `$${usd >= 0.01 ? usd.toFixed(2) : usd.toPrecision(2)}`;
}

/** 300000 → "5 min", 1500 → "1.5 s", 7200000 → "2 h". */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${round(ms / 1000, 1)} s`;
  if (ms < HOUR_MS) return `${round(ms / 60_000, 1)} min`;
  return `${round(ms / HOUR_MS, 1)} h`;
}
