import { Injectable } from '@nestjs/common';
import type { SettledCall, TetherEvent } from '@tether/contracts';
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
import { ledgerOpsOf, type LedgerOp, type RunOwner } from '../domain/ledger.ops';
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
    await this.apply(runs, ops);
  }

  /**
   * Settles calls a run reports with its next reservation (`ReserveBudget.settles`), before the
   * log's consumer gets to them. Only that run's own held reservations: anything else named is
   * left to the log, which is the truth.
   */
  async settleReported(
    tenantId: string,
    runId: string,
    calls: readonly SettledCall[],
  ): Promise<void> {
    const own = calls.filter((c) => c.reservationId.startsWith(`res_${runId}_`));
    if (own.length === 0) return;
    const ops: LedgerOp[] = own.map((c) => ({
      op: 'settle',
      reservationId: c.reservationId,
      charge: { tenantId, runId, kind: 'model', item: '', costUsd: c.costUsd, at: c.at },
    }));
    await this.apply([], ops, (row) => row.tenantId === tenantId && row.runId === runId);
  }

  private async apply(
    runs: RunOwner[],
    ops: LedgerOp[],
    /** When set, only ops on existing rows that pass it are applied; nothing is recorded anew. */
    existingOnly?: (row: LedgerRow) => boolean,
  ): Promise<void> {
    if (runs.length === 0 && ops.length === 0) return;
    await this.db.transaction(async (sql) => {
      await upsertRuns(sql, runs);
      const ids = ops.flatMap((o) =>
        o.op === 'releaseRun' ? [] : [o.op === 'record' ? o.id : o.reservationId],
      );
      const ended = ops.flatMap((o) => (o.op === 'releaseRun' ? [o] : []));
      const locked = await lockForLedger(sql, ids, ended);
      const rows = existingOnly ? locked.filter(existingOnly) : locked;
      const known = new Set(rows.map((r) => r.reservationId));
      const todo = existingOnly
        ? ops.filter((o) => o.op === 'settle' && known.has(o.reservationId))
        : ops;
      const owners = await runsById(
        sql,
        todo.flatMap((o) => ('charge' in o ? [o.charge.runId] : [])),
      );
      const fold = foldLedger(rows, todo, owners);
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
