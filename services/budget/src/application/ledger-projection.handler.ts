import { Injectable } from '@nestjs/common';
import type { TetherEvent } from '@tether/contracts';
import { applyCounterDeltas, lockCounterKeys } from '../adapters/persistence/budget-counters.sql';
import { BudgetDb } from '../adapters/persistence/budget.db';
import {
  insertRecords,
  lockForLedger,
  saveChanges,
} from '../adapters/persistence/budget-reservations.sql';
import { runsById, upsertRuns } from '../adapters/persistence/budget-runs.sql';
import { counterKey } from '../domain/budget.counters';
import { everyCounterOf } from '../domain/counter.deltas';
import { foldLedger, type LedgerRow } from '../domain/ledger.fold';
import { ledgerOpsOf } from '../domain/ledger.ops';
import { toNanos } from '../domain/usd';

/**
 * Keeps the ledger from the run log: calls settle or release their reservations, ended runs
 * release what they still hold, and paid calls nobody reserved for are recorded. One
 * transaction per batch; replays change nothing (a reservation moves out of `held` once, a
 * record is inserted once).
 */
@Injectable()
export class LedgerProjectionHandler {
  constructor(private readonly db: BudgetDb) {}

  async handle(events: readonly TetherEvent[]): Promise<void> {
    const { runs, ops } = ledgerOpsOf(events);
    if (runs.length === 0 && ops.length === 0) return;
    await this.db.transaction(async (sql) => {
      await upsertRuns(sql, runs);
      const ids = ops.flatMap((o) =>
        o.op === 'releaseRun' ? [] : [o.op === 'record' ? o.id : o.reservationId],
      );
      const ended = ops.flatMap((o) => (o.op === 'releaseRun' ? [o] : []));
      const rows = await lockForLedger(sql, ids, ended);
      const owners = await runsById(
        sql,
        ops.flatMap((o) => ('charge' in o ? [o.charge.runId] : [])),
      );
      const fold = foldLedger(rows, ops, owners);
      // Settled spend reaches every counter its reservation could count in: hold their keys
      // (shared) so none is being created from the settled rows meanwhile.
      const settled = new Set(
        fold.changes.filter((c) => c.status === 'settled').map((c) => c.reservationId),
      );
      const byId = new Map<string, LedgerRow>(rows.map((r) => [r.reservationId, r]));
      const keys = [
        ...[...settled].flatMap((id) => everyCounterOf(byId.get(id)!)),
        ...fold.records.flatMap((r) => everyCounterOf(r)),
      ].map(counterKey);
      await lockCounterKeys(sql, keys, 'shared');
      const inserted = await insertRecords(sql, fold.records);
      for (const r of fold.records)
        if (inserted.has(r.id)) fold.deltas.settle(r, toNanos(r.costUsd));
      await saveChanges(sql, fold.changes);
      await applyCounterDeltas(sql, fold.deltas.list());
    });
  }
}
