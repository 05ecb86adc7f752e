import { Inject, Injectable } from '@nestjs/common';
import type { BudgetCap, BudgetCapChanged, SetBudgetCap } from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { newId } from '@tether/event-store';
import { BudgetControlBus } from '../adapters/nats/budget-control.bus';
import { BudgetDb } from '../adapters/persistence/budget.db';
import { listCaps, lockCap, writeCap } from '../adapters/persistence/budget-caps.sql';
import { capChangeProblems, capLimit, capSubject } from '../domain/cap-change.rules';
import { CLOCK, type Clock } from './ports';

/** Caps at runtime: each change is audited on `_CTL` before it takes effect. */
@Injectable()
export class CapChanges {
  constructor(
    private readonly db: BudgetDb,
    private readonly bus: BudgetControlBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async set(change: SetBudgetCap): Promise<BudgetCapChanged> {
    const problems = capChangeProblems(change);
    if (problems.length) throw new ValidationError(`invalid cap ${change.cap}`, problems);
    const key = { tenantId: change.tenantId, cap: change.cap, subject: capSubject(change) };
    const limitUsd = change.limitUsd === null ? null : capLimit(change.limitUsd);
    const now = this.clock.now();
    return this.db.transaction(async (sql) => {
      const previousUsd = await lockCap(sql, key);
      const record: BudgetCapChanged = {
        id: newId('bcc'),
        type: 'budget.cap.changed',
        time: now.toISOString(),
        ...key,
        previousUsd,
        limitUsd,
        by: change.by.trim(),
        reason: change.reason.trim(),
      };
      // The record first: a cap in force that no record accounts for is worse than a record of
      // a change that failed to land (the caller sees the error and sets it again).
      await this.bus.capChanged(record);
      await writeCap(sql, { ...key, limitUsd, at: now, by: record.by, reason: record.reason });
      return record;
    });
  }

  list(tenantId: string): Promise<BudgetCap[]> {
    return listCaps(this.db.query, tenantId);
  }
}
