import { Inject, Injectable } from '@nestjs/common';
import type { SpendQuery, SpendReport } from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { BudgetDb } from '../adapters/persistence/budget.db';
import { spendReport } from '../adapters/persistence/spend.queries';
import { dayOf, spendRange } from '../domain/budget.periods';
import { CLOCK, type Clock } from './ports';

@Injectable()
export class SpendReports {
  constructor(
    private readonly db: BudgetDb,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  report(q: SpendQuery): Promise<SpendReport> {
    const range = spendRange(dayOf(this.clock.now()), q.from, q.to);
    if (!range) throw new ValidationError(`from (${q.from}) comes after to (${q.to})`);
    return spendReport(this.db.query, { ...q, ...range });
  }
}
