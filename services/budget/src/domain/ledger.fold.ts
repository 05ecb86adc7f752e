import type { SpendKind } from '@tether/contracts';
import type { ReservationOwner } from './budget.counters';
import { periodsOf } from './budget.periods';
import { CounterDeltas } from './counter.deltas';
import { modelItem, type Charge, type LedgerOp, type RunOwner } from './ledger.ops';
import { nanosToUsd, toNanos } from './usd';

export const ReservationStatus = {
  Held: 'held',
  Settled: 'settled',
  Released: 'released',
  Refused: 'refused',
} as const;
export type ReservationStatus = (typeof ReservationStatus)[keyof typeof ReservationStatus];

/** A reservation as the ledger needs it (read under lock). */
export interface LedgerRow extends ReservationOwner {
  reservationId: string;
  amountUsd: number;
  status: ReservationStatus;
  /** `scope|period` of the counters its amount was added to when it was held. */
  heldScopes: string[];
}

export interface RowChange {
  reservationId: string;
  status: 'settled' | 'released';
  settledUsd?: number;
  settledAt?: string;
}

/** A settled ledger row for spend nobody reserved for. */
export interface LedgerRecord extends ReservationOwner {
  id: string;
  agent: string;
  kind: SpendKind;
  item: string;
  costUsd: number;
  at: string;
}

export interface LedgerFold {
  changes: RowChange[];
  records: LedgerRecord[];
  /** For the rows changed; a record adds its own once it is known to be new (`settle`). */
  deltas: CounterDeltas;
}

function recordOf(id: string, charge: Charge, run: RunOwner | undefined): LedgerRecord {
  return {
    id,
    tenantId: charge.tenantId,
    runId: charge.runId,
    userId: run?.userId ?? '',
    agent: run?.agent ?? '',
    kind: charge.kind,
    item: charge.kind === 'model' ? modelItem(run?.model, charge.item) : charge.item,
    costUsd: charge.costUsd ?? 0,
    at: charge.at,
    ...periodsOf(new Date(charge.at)),
  };
}

/** The run's owner, if it is the charge's tenant's run (run ids are not trusted across tenants). */
function ownerOf(runs: ReadonlyMap<string, RunOwner>, charge: Charge): RunOwner | undefined {
  const run = runs.get(charge.runId);
  return run?.tenantId === charge.tenantId ? run : undefined;
}

/**
 * Applies a batch of the log to the reservations it names, in order. Settling ends the hold and
 * books the spend; a reservation released (its hold expired, its run ended) is still settled
 * when its call turns out to have been paid, without releasing twice. Anything else is a replay
 * and changes nothing. A paid call with no reservation on record becomes a ledger record.
 */
export function foldLedger(
  rows: readonly LedgerRow[],
  ops: readonly LedgerOp[],
  runs: ReadonlyMap<string, RunOwner>,
): LedgerFold {
  const byId = new Map(rows.map((r) => [r.reservationId, { ...r }]));
  const changes = new Map<string, RowChange>();
  const records = new Map<string, LedgerRecord>();
  const deltas = new CounterDeltas();

  const release = (row: LedgerRow) => {
    if (row.status !== ReservationStatus.Held) return;
    deltas.release(row.heldScopes, toNanos(row.amountUsd));
    row.status = ReservationStatus.Released;
    changes.set(row.reservationId, { reservationId: row.reservationId, status: row.status });
  };
  const settle = (row: LedgerRow, settled: bigint, at: string) => {
    if (row.status === ReservationStatus.Held) release(row);
    else if (row.status !== ReservationStatus.Released) return;
    deltas.settle(row, settled);
    row.status = ReservationStatus.Settled;
    changes.set(row.reservationId, {
      reservationId: row.reservationId,
      status: row.status,
      settledUsd: nanosToUsd(settled),
      settledAt: at,
    });
  };
  const record = (id: string, charge: Charge) => {
    if ((charge.costUsd ?? 0) > 0 && !byId.has(id))
      records.set(id, recordOf(id, charge, ownerOf(runs, charge)));
  };

  for (const op of ops) {
    switch (op.op) {
      case 'settle': {
        const row = byId.get(op.reservationId);
        if (!row) record(op.reservationId, op.charge);
        else settle(row, toNanos(op.charge.costUsd ?? row.amountUsd), op.charge.at);
        break;
      }
      case 'record':
        record(op.id, op.charge);
        break;
      case 'release': {
        const row = byId.get(op.reservationId);
        if (row) release(row);
        break;
      }
      case 'releaseRun':
        for (const row of byId.values())
          if (row.tenantId === op.tenantId && row.runId === op.runId) release(row);
        break;
      default: {
        const never: never = op;
        throw new Error(`unknown ledger op ${JSON.stringify(never)}`);
      }
    }
  }
  return { changes: [...changes.values()], records: [...records.values()], deltas };
}
