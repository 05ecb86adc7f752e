import { Inject, Injectable } from '@nestjs/common';
import { applyCounterDeltas } from '../adapters/persistence/budget-counters.sql';
import { BudgetDb } from '../adapters/persistence/budget.db';
import { lockExpired, saveChanges } from '../adapters/persistence/budget-reservations.sql';
import { foldLedger } from '../domain/ledger.fold';
import { CLOCK, type Clock } from './ports';

const BATCH = 500;

/**
 * Releases holds whose call never reported back (the worker died between reserving and calling,
 * or the log was lost for it). Instances sweep side by side: rows another one holds are skipped.
 * A call that reports after all is still settled by the ledger.
 */
@Injectable()
export class HoldExpiry {
  constructor(
    private readonly db: BudgetDb,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One pass; returns how many holds were released. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    let total = 0;
    for (;;) {
      const released = await this.db.transaction(async (sql) => {
        const rows = await lockExpired(sql, now, BATCH);
        const ops = rows.map((r) => ({ op: 'release' as const, reservationId: r.reservationId }));
        const fold = foldLedger(rows, ops, new Map());
        await saveChanges(sql, fold.changes);
        await applyCounterDeltas(sql, fold.deltas.list());
        return rows.length;
      });
      total += released;
      if (released < BATCH) return total;
    }
  }
}
