import { Inject, Injectable } from '@nestjs/common';
import type { BudgetSpike } from '@tether/contracts';
import { InjectConfig } from '@tether/service-kit';
import { BudgetControlBus } from '../adapters/nats/budget-control.bus';
import { BudgetDb } from '../adapters/persistence/budget.db';
import { claimSpike, spendAroundHour } from '../adapters/persistence/budget-spikes.sql';
import { hourLabel, hourOf } from '../domain/budget.periods';
import { TRAILING_DAYS, spikeOf } from '../domain/spike.policy';
import { roundUsd } from '../domain/usd';
import type { BudgetConfig } from '../config';
import { spikeNotice } from './budget.notices';
import { CLOCK, NOTIFIER, type BudgetNotifier, type Clock } from './ports';

const HOUR_MS = 3_600_000;
const TRAILING_HOURS = TRAILING_DAYS * 24;

/**
 * Compares each tenant's last hour of settled spend with its hourly average over the 7 days
 * before, and reports a spike at most once per tenant and clock hour.
 */
@Injectable()
export class SpikeCheck {
  constructor(
    private readonly db: BudgetDb,
    private readonly bus: BudgetControlBus,
    @InjectConfig() private readonly config: BudgetConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NOTIFIER) private readonly notifier: BudgetNotifier,
  ) {}

  /** One pass; returns the spikes it reported. */
  async checkSpikes(): Promise<BudgetSpike[]> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - HOUR_MS);
    const since = new Date(windowStart.getTime() - TRAILING_HOURS * HOUR_MS);
    const hour = hourOf(now);
    const { multiple, minUsd } = this.config.spike;
    const reported: BudgetSpike[] = [];
    for (const t of await spendAroundHour(this.db.query, since, windowStart, now)) {
      const spike = spikeOf({ ...t, trailingHours: TRAILING_HOURS, multiple, minUsd });
      if (!spike) continue;
      const record: BudgetSpike = {
        id: `spike_${t.tenantId}_${hourLabel(hour)}`,
        type: 'budget.spike',
        time: now.toISOString(),
        tenantId: t.tenantId,
        lastHourUsd: roundUsd(t.lastHourUsd),
        baselineHourlyUsd: spike.baselineHourlyUsd,
        multiple,
      };
      // Claimed and published in one transaction: a failed publish leaves the hour unclaimed
      // for the next check, and a racing instance finds the claim and stays quiet.
      const claimed = await this.db.transaction(async (sql) => {
        if (!(await claimSpike(sql, t.tenantId, hour, now))) return false;
        await this.bus.spike(record);
        return true;
      });
      if (!claimed) continue;
      this.notifier.notify(spikeNotice(record));
      reported.push(record);
    }
    return reported;
  }
}
