import { parseAs, AlertFired } from '@tether/contracts';
import {
  DEFAULT_ALERT_RULES,
  KIND_DEFAULTS,
  type AbortRateRule,
  type AlertRule,
  type CostSpikeRule,
  type LatencyP99Rule,
  type ToolErrorRateRule,
} from '../src/domain/alert-rules';
import {
  abortVerdict,
  alertKey,
  alertOf,
  baselineRange,
  bucketLabel,
  costVerdict,
  inScope,
  latencyVerdict,
  toolErrorVerdict,
  windowOf,
  type AlertGroup,
} from '../src/domain/alert.evaluation';

const rule = <N extends string>(name: N) => DEFAULT_ALERT_RULES.find((r) => r.name === name)!;
const toolErrors = rule('tool-error-rate') as ToolErrorRateRule;
const aborts = rule('abort-rate') as AbortRateRule;
const loops = rule('loop-detected') as AbortRateRule;
const latency = rule('model-latency-p99') as LatencyP99Rule;
const cost = rule('cost-spike') as CostSpikeRule;

const group: AlertGroup = { tenantId: 'acme', agent: 'support', release: 'rel_0123456789abcdef' };
const now = new Date('2026-11-21T12:07:30.000Z');

describe('alert evaluation', () => {
  describe('the built-in rules', () => {
    it('are those of the documentation: 5-minute windows per release, cost per agent over 15 minutes', () => {
      expect(DEFAULT_ALERT_RULES.map((r) => [r.name, r.kind, r.windowMs, r.by])).toEqual([
        ['tool-error-rate', 'tool_error_rate', 300_000, 'release'],
        ['abort-rate', 'abort_rate', 300_000, 'release'],
        ['loop-detected', 'abort_rate', 300_000, 'release'],
        ['model-latency-p99', 'latency_p99', 300_000, 'release'],
        ['cost-spike', 'cost_spike', 900_000, 'agent'],
      ]);
      expect(toolErrors).toMatchObject({ threshold: 0.2, minSample: 20 });
      expect(aborts).toMatchObject({ threshold: 0.1, minSample: 20 });
      expect(aborts.reasons).toBeUndefined();
      expect(loops).toMatchObject({ threshold: 0.05, reasons: ['loop_detected'] });
      expect(latency).toMatchObject({ of: 'model_call', thresholdMs: 30_000, minSample: 20 });
      expect(cost).toMatchObject({ multiple: 3, minUsd: 1, maxUsd: null, baselineMs: 86_400_000 });
    });
  });

  describe('windows', () => {
    it('end at the evaluation and fall in the window-length bucket of their end', () => {
      expect(windowOf(toolErrors, now)).toEqual({
        start: new Date('2026-11-21T12:02:30.000Z'),
        end: now,
        bucket: new Date('2026-11-21T12:05:00.000Z'),
      });
      expect(windowOf(cost, now).bucket).toEqual(new Date('2026-11-21T12:00:00.000Z'));
    });

    it('label a bucket compactly, so ids sort by time', () => {
      expect(bucketLabel(new Date('2026-11-21T12:05:00.000Z'))).toBe('20261121T1205Z');
    });

    it('compare a cost spike with whole hours before the hour the window starts in', () => {
      const w = windowOf(cost, new Date('2026-11-21T12:10:00.000Z'));
      expect(baselineRange(cost, w)).toEqual({
        start: new Date('2026-11-20T11:00:00.000Z'),
        end: new Date('2026-11-21T11:00:00.000Z'),
      });
      // Every evaluation of that hour reads the same range.
      expect(baselineRange(cost, windowOf(cost, new Date('2026-11-21T12:14:59.000Z')))).toEqual(
        baselineRange(cost, w),
      );
    });
  });

  describe('tool error rate', () => {
    it('fires above the threshold once the sample is large enough', () => {
      expect(toolErrorVerdict(toolErrors, { failed: 14, finished: 40 })).toEqual({
        unit: 'ratio',
        observed: 0.35,
        threshold: 0.2,
        sampleSize: 40,
      });
    });

    it('stays quiet at the threshold itself', () => {
      expect(toolErrorVerdict(toolErrors, { failed: 4, finished: 20 })).toBeUndefined();
      expect(
        toolErrorVerdict({ ...toolErrors, threshold: 0.1 }, { failed: 3, finished: 30 }),
      ).toBeUndefined();
    });

    it('stays quiet below the minimum sample, however bad the rate', () => {
      expect(toolErrorVerdict(toolErrors, { failed: 19, finished: 19 })).toBeUndefined();
      expect(toolErrorVerdict(toolErrors, { failed: 20, finished: 20 })).toMatchObject({
        observed: 1,
      });
    });

    it('never divides by nothing, even with a minimum sample of one', () => {
      expect(
        toolErrorVerdict({ ...toolErrors, minSample: 1, threshold: 0 }, { failed: 0, finished: 0 }),
      ).toBeUndefined();
    });

    it('rounds the rate to four places', () => {
      expect(toolErrorVerdict(toolErrors, { failed: 7, finished: 30 })?.observed).toBe(0.2333);
    });
  });

  describe('abort rate', () => {
    const ends = { ended: 40, abortedByReason: { loop_detected: 3, max_steps: 2, timeout: 1 } };

    it('counts every abort reason when the rule names none', () => {
      expect(abortVerdict(aborts, ends)).toMatchObject({ observed: 0.15, sampleSize: 40 });
    });

    it('counts only the named reasons: loops', () => {
      expect(abortVerdict(loops, ends)).toMatchObject({ observed: 0.075, threshold: 0.05 });
      expect(
        abortVerdict(loops, { ended: 40, abortedByReason: { max_steps: 20 } }),
      ).toBeUndefined();
    });

    it('stays quiet below the minimum sample of ended runs', () => {
      expect(abortVerdict(aborts, { ended: 19, abortedByReason: { timeout: 19 } })).toBeUndefined();
    });
  });

  describe('p99 latency', () => {
    it('fires when the p99 is above the threshold, in whole ms', () => {
      expect(latencyVerdict(latency, { p99Ms: 41_234.6, count: 120 })).toEqual({
        unit: 'ms',
        observed: 41_235,
        threshold: 30_000,
        sampleSize: 120,
      });
    });

    it('stays quiet at or under the threshold, or below the minimum sample', () => {
      expect(latencyVerdict(latency, { p99Ms: 30_000, count: 120 })).toBeUndefined();
      expect(latencyVerdict(latency, { p99Ms: 90_000, count: 19 })).toBeUndefined();
    });
  });

  describe('cost spike', () => {
    // A day of history at $24 is $0.25 per 15-minute window on average.
    const day = { trailingUsd: 24, calls: 12 };

    it('fires above the multiple of the trailing average of a window', () => {
      expect(costVerdict({ ...cost, minUsd: 0 }, { ...day, windowUsd: 0.8 })).toEqual({
        unit: 'usd',
        observed: 0.8,
        threshold: 0.75,
        sampleSize: 12,
        baselineUsd: 0.25,
      });
      expect(costVerdict({ ...cost, minUsd: 0 }, { ...day, windowUsd: 0.75 })).toBeUndefined();
    });

    it('never fires below minUsd on the relative limit', () => {
      expect(costVerdict(cost, { ...day, windowUsd: 0.9 })).toBeUndefined();
      expect(costVerdict(cost, { ...day, windowUsd: 1.01 })).toMatchObject({ threshold: 1 });
    });

    it('has no relative limit without history: a new agent is not a spike', () => {
      expect(costVerdict(cost, { trailingUsd: 0, calls: 500, windowUsd: 400 })).toBeUndefined();
    });

    it('fires above maxUsd whatever the history, and takes the lower of the two limits', () => {
      const capped = { ...cost, maxUsd: 50 };
      expect(costVerdict(capped, { trailingUsd: 0, calls: 9, windowUsd: 60 })).toMatchObject({
        threshold: 50,
        baselineUsd: 0,
      });
      expect(costVerdict(capped, { trailingUsd: 960, calls: 9, windowUsd: 45 })).toMatchObject({
        threshold: 30,
      });
      expect(
        costVerdict({ ...capped, multiple: null }, { trailingUsd: 960, calls: 9, windowUsd: 45 }),
      ).toBeUndefined();
    });
  });

  describe('scope', () => {
    it('keeps a rule to the tenants and agents it names', () => {
      expect(inScope(toolErrors, group)).toBe(true);
      expect(inScope({ ...toolErrors, tenants: ['globex'] }, group)).toBe(false);
      expect(inScope({ ...toolErrors, agents: ['support', 'billing'] }, group)).toBe(true);
      expect(inScope({ ...toolErrors, agents: ['billing'] }, group)).toBe(false);
    });
  });

  describe('the alert', () => {
    const window = windowOf(toolErrors, now);
    const verdict = toolErrorVerdict(toolErrors, { failed: 14, finished: 40 })!;

    it('is a valid alert.fired record with a summary for people', () => {
      const alert = alertOf('alt_20261121T1205Z_abc', toolErrors, group, window, verdict);
      expect(alert).toEqual({
        id: 'alt_20261121T1205Z_abc',
        type: 'alert.fired',
        time: '2026-11-21T12:07:30.000Z',
        rule: 'tool-error-rate',
        kind: 'tool_error_rate',
        tenantId: 'acme',
        agent: 'support',
        release: 'rel_0123456789abcdef',
        windowStart: '2026-11-21T12:02:30.000Z',
        windowEnd: '2026-11-21T12:07:30.000Z',
        unit: 'ratio',
        observed: 0.35,
        threshold: 0.2,
        sampleSize: 40,
        summary:
          'support (rel_0123456789abcdef) on acme: 35% of 40 tool calls failed in 5 min (above 20%)',
      });
      expect(parseAs(AlertFired, alert).ok).toBe(true);
    });

    it('leaves the release out when the rule looks at the agent as a whole', () => {
      const byAgent = { ...group, release: null };
      const alert = alertOf('alt_x', { ...toolErrors, by: 'agent' }, byAgent, window, verdict);
      expect(alert).not.toHaveProperty('release');
      expect(alert.summary).toMatch(/^support on acme: /);
    });

    it.each<[AlertRule, Parameters<typeof alertOf>[4], string]>([
      [
        loops,
        { unit: 'ratio', observed: 0.075, threshold: 0.05, sampleSize: 40 },
        '7.5% of 40 runs aborted (loop_detected) in 5 min (above 5%)',
      ],
      [
        latency,
        { unit: 'ms', observed: 41_235, threshold: 30_000, sampleSize: 120 },
        'p99 model call latency 41.2 s over 120 calls in 5 min (above 30 s)',
      ],
      [
        { ...latency, of: 'run', thresholdMs: 120_000 },
        { unit: 'ms', observed: 185_000, threshold: 120_000, sampleSize: 25 },
        'p99 run duration 3.1 min over 25 runs in 5 min (above 2 min)',
      ],
      [
        cost,
        { unit: 'usd', observed: 4.2, threshold: 1, sampleSize: 12, baselineUsd: 0.25 },
        '$4.20 spent in 15 min, 16.8× the trailing average of $0.25 (above $1.00)',
      ],
      [
        { ...cost, maxUsd: 50 },
        { unit: 'usd', observed: 60, threshold: 50, sampleSize: 9, baselineUsd: 0 },
        '$60.00 spent in 15 min (above $50.00)',
      ],
    ])('says what %s measured', (r, v, text) => {
      const alert = alertOf('alt_x', r, group, windowOf(r, now), v);
      expect(alert.summary).toBe(`support (rel_0123456789abcdef) on acme: ${text}`);
      expect(parseAs(AlertFired, alert).ok).toBe(true);
    });

    it('says whose latency a latency alert measured', () => {
      const v = { unit: 'ms' as const, observed: 1, threshold: 0, sampleSize: 1 };
      expect(alertOf('alt_x', latency, group, window, v).of).toBe('model_call');
      expect(alertOf('alt_x', aborts, group, window, v)).not.toHaveProperty('of');
    });
  });

  describe('the alert key', () => {
    const window = windowOf(toolErrors, now);

    it('is the same for every evaluation of one bucket, and differs across buckets', () => {
      const later = windowOf(toolErrors, new Date('2026-11-21T12:09:59.000Z'));
      const next = windowOf(toolErrors, new Date('2026-11-21T12:10:00.000Z'));
      expect(alertKey(toolErrors, group, later)).toBe(alertKey(toolErrors, group, window));
      expect(alertKey(toolErrors, group, next)).not.toBe(alertKey(toolErrors, group, window));
    });

    it('tells apart groups whose parts run into each other', () => {
      const a = alertKey(toolErrors, { tenantId: 'a_b', agent: 'c', release: null }, window);
      const b = alertKey(toolErrors, { tenantId: 'a', agent: 'b_c', release: null }, window);
      expect(a).not.toBe(b);
      expect(alertKey(toolErrors, { ...group, release: null }, window)).not.toBe(
        alertKey(toolErrors, group, window),
      );
    });

    it('differs by rule, even between rules of one kind', () => {
      expect(alertKey(aborts, group, window)).not.toBe(alertKey(loops, group, window));
    });
  });

  it('starts new rules of each kind from the defaults of their kind', () => {
    expect(KIND_DEFAULTS.latency_p99).toMatchObject({ of: 'model_call', thresholdMs: 30_000 });
  });
});
