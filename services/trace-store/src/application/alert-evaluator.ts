import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AlertFired } from '@tether/contracts';
import { InjectConfig, InjectLogger } from '@tether/service-kit';
import { AlertControlBus } from '../adapters/nats/alert-control.bus';
import { AlertClaims } from '../adapters/persistence/alert-claims.sql';
import {
  AlertMeasures,
  type Measured,
  type Period,
} from '../adapters/persistence/alert-measures.sql';
import type { AlertRule, CostSpikeRule } from '../domain/alert-rules';
import {
  abortVerdict,
  alertKey,
  alertOf,
  baselineRange,
  bucketLabel,
  costVerdict,
  groupKey,
  inScope,
  latencyVerdict,
  toolErrorVerdict,
  windowOf,
  type AlertWindow,
  type Verdict,
} from '../domain/alert.evaluation';
import type { TraceStoreConfig } from '../config';
import { AlertMetrics } from './alert-metrics';
import { ALERT_NOTIFIER, CLOCK, type AlertNotifier, type Clock } from './alert.ports';

/**
 * How long a claim belongs to the instance that made (or renewed) it before another may finish
 * it. Shorter than the `_CTL` duplicate window (2 min) plus a pass, so that re-publishing an
 * alert whose first publish did store, but was never marked, is still dropped by JetStream.
 */
export const CLAIM_LEASE_MS = 60_000;

/** The trailing spend of a cost rule's groups, kept for the hour its range stays the same. */
interface Baseline {
  start: number;
  end: number;
  usdByGroup: Map<string, number>;
}

/**
 * Evaluates the alert rules over the projection: each rule's window ends now, each group (tenant,
 * agent, and release when the rule says so) is judged on its own, and what crosses a threshold
 * is claimed in Postgres (once across instances), recorded on `_CTL`, then sent to the webhook.
 */
@Injectable()
export class AlertEvaluator {
  private readonly rules: readonly AlertRule[];
  private readonly baselines = new Map<string, Baseline>();
  private readonly deliveries = new Set<Promise<void>>();

  constructor(
    private readonly measures: AlertMeasures,
    private readonly claims: AlertClaims,
    private readonly bus: AlertControlBus,
    private readonly metrics: AlertMetrics,
    @Inject(ALERT_NOTIFIER) private readonly notifier: AlertNotifier,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectConfig() config: TraceStoreConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.rules = config.alerts?.rules ?? [];
  }

  /** One pass; returns the alerts this instance recorded on `_CTL` in it. */
  async evaluate(): Promise<AlertFired[]> {
    const now = this.clock.now();
    // 1. Claims an earlier pass left unfinished (a failed publish, an instance that died).
    const pending = await this.claims.takeStale(now, new Date(now.getTime() - CLAIM_LEASE_MS));
    // 2. What crosses a threshold now; only the instance whose insert wins reports it.
    const queries = new Map<string, Promise<unknown>>();
    for (const rule of this.rules) {
      let found: AlertFired[];
      try {
        found = await this.findings(rule, now, queries);
      } catch (err) {
        this.logger.warn(
          { rule: rule.name, err: (err as Error).message },
          'alert rule not evaluated',
        );
        continue;
      }
      for (const alert of found)
        if (await this.claims.claim(alert, now)) pending.push({ alert, published: false });
    }
    // 3. `_CTL` first, the webhook after: a webhook that fails cannot lose the record, and a
    //    publish that fails leaves the claim for a later pass once its lease has run out.
    const recorded: AlertFired[] = [];
    for (const { alert, published } of pending) {
      if (!published) {
        if (!(await this.record(alert))) continue;
        recorded.push(alert);
        if (!this.notifier.enabled) continue;
      }
      this.notifyInBackground(alert);
    }
    return recorded;
  }

  /** Waits for the webhooks under way (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.deliveries.size) await Promise.allSettled([...this.deliveries]);
  }

  private async findings(
    rule: AlertRule,
    now: Date,
    queries: Map<string, Promise<unknown>>,
  ): Promise<AlertFired[]> {
    const window = windowOf(rule, now);
    const byRelease = rule.by === 'release';
    // Rules that read the same aggregate over the same window (abort-rate and loop-detected)
    // share one query per pass.
    const once = <T>(what: string, load: () => Promise<T>): Promise<T> => {
      const key = `${what}|${window.start.getTime()}|${window.end.getTime()}|${byRelease}`;
      if (!queries.has(key)) queries.set(key, load());
      return queries.get(key) as Promise<T>;
    };
    const judge = <T>(rows: Measured<T>[], verdict: (m: Measured<T>) => Verdict | undefined) =>
      rows.flatMap((m) => {
        const v = inScope(rule, m.group) ? verdict(m) : undefined;
        return v ? [alertOf(alertId(rule, m, window), rule, m.group, window, v)] : [];
      });
    switch (rule.kind) {
      case 'tool_error_rate':
        return judge(await once('tools', () => this.measures.toolCalls(window, byRelease)), (m) =>
          toolErrorVerdict(rule, m),
        );
      case 'abort_rate':
        return judge(await once('runs', () => this.measures.runEnds(window, byRelease)), (m) =>
          abortVerdict(rule, m),
        );
      case 'latency_p99': {
        const rows = await (rule.of === 'run'
          ? once('durations', () => this.measures.runDuration(window, byRelease))
          : once('latencies', () => this.measures.modelLatency(window, byRelease)));
        return judge(rows, (m) => latencyVerdict(rule, m));
      }
      case 'cost_spike': {
        const spent = await once('spend', () => this.measures.spend(window, byRelease));
        const trailing = await this.trailingSpend(rule, window, byRelease);
        return judge(spent, (m) =>
          costVerdict(rule, {
            windowUsd: m.usd,
            calls: m.calls,
            trailingUsd: trailing.get(groupKey(m.group)) ?? 0,
          }),
        );
      }
      default: {
        const never: never = rule;
        return never;
      }
    }
  }

  /** Read once per hour and rule: the range moves by whole hours. */
  private async trailingSpend(
    rule: CostSpikeRule,
    window: AlertWindow,
    byRelease: boolean,
  ): Promise<Map<string, number>> {
    const range: Period = baselineRange(rule, window);
    const cached = this.baselines.get(rule.name);
    if (cached?.start === range.start.getTime() && cached.end === range.end.getTime())
      return cached.usdByGroup;
    const rows = await this.measures.spend(range, byRelease);
    const usdByGroup = new Map(rows.map((r) => [groupKey(r.group), r.usd]));
    this.baselines.set(rule.name, {
      start: range.start.getTime(),
      end: range.end.getTime(),
      usdByGroup,
    });
    return usdByGroup;
  }

  /**
   * Publishes a claimed alert and marks it so; false (logged) when either failed, which leaves
   * the claim to a later pass. One alert's failure does not hold up the others.
   */
  private async record(alert: AlertFired): Promise<boolean> {
    try {
      await this.bus.publish(alert);
      await this.claims.published(alert.id, this.clock.now(), this.notifier.enabled);
    } catch (err) {
      this.logger.warn(
        { alert: alert.id, err: (err as Error).message },
        'alert not recorded; a later pass retries it',
      );
      return false;
    }
    this.metrics.recorded(alert);
    return true;
  }

  /** A slow receiver must not hold up the next pass: the webhook goes on in the background. */
  private notifyInBackground(alert: AlertFired): void {
    const delivery = this.notify(alert)
      .catch((err: Error) =>
        this.logger.warn({ alert: alert.id, err: err.message }, 'alert webhook not recorded'),
      )
      .finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  private async notify(alert: AlertFired): Promise<void> {
    const result = this.notifier.enabled
      ? await this.notifier.notify(alert)
      : { delivered: false, error: 'no alert webhook is configured' };
    if (!result.delivered)
      this.logger.warn({ alert: alert.id, error: result.error }, 'alert webhook not delivered');
    const error = result.delivered ? null : (result.error ?? 'not delivered');
    await this.claims.notified(alert.id, this.clock.now(), error);
  }
}

/** `alt_<bucket>_<hash>`: the same on every instance for the same rule, group and bucket. */
function alertId(rule: AlertRule, m: Measured<unknown>, window: AlertWindow): string {
  const hash = createHash('sha256')
    .update(alertKey(rule, m.group, window))
    .digest('hex');
  return `alt_${bucketLabel(window.bucket)}_${hash.slice(0, 24)}`;
}
