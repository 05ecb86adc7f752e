import {
  GLOBAL_CAP_TENANT,
  type BudgetRefusal,
  type CapName,
  type SpendKind,
} from '@tether/contracts';
import type { CounterRef } from '../../domain/budget.counters';
import type { CapRow } from '../../domain/cap.selection';
import {
  ReservationStatus,
  type LedgerRecord,
  type LedgerRow,
  type RowChange,
} from '../../domain/ledger.fold';
import { usdDecimal } from '../../domain/usd';
import type { Sql } from './budget.db';

/** A reservation as first written, before its caps are checked. */
export interface NewReservation {
  reservationId: string;
  tenantId: string;
  userId: string;
  runId: string;
  agent: string;
  kind: SpendKind;
  item: string;
  priceVersion: string;
  amountUsd: string;
  day: string;
  month: string;
  createdAt: Date;
  expiresAt: Date;
}

/** What a reservation answered, read back for a request asked again. */
export interface StoredDecision {
  status: ReservationStatus;
  amountUsd: number;
  priceVersion: string;
  refusal: BudgetRefusal | null;
}

/** What a new reservation needs to know, read in the same round trip as its insert. */
export interface ReservationStart {
  /** false: the id is taken (an earlier request); nothing else is of use then. */
  inserted: boolean;
  /** The caps it may fall under: its tenant's and the global ones. */
  caps: CapRow[];
  /** Which of `candidates` (as `counterKey`s) exist already. */
  counters: Set<string>;
}

/**
 * Inserts the reservation as held (holding nothing yet), and reads its caps and which of the
 * counters it could touch exist — one round trip, since the hot path is a handful of them.
 */
export async function insertReservation(
  sql: Sql,
  r: NewReservation,
  candidates: readonly CounterRef[],
): Promise<ReservationStart> {
  const [row] = await sql<{
    inserted: number;
    caps: { tenantId: string; cap: CapName; subject: string; limit: number | string }[];
    counters: string[];
  }>(
    `WITH ins AS (
       INSERT INTO budget_reservations (reservation_id, tenant_id, user_id, run_id, agent, kind,
         item, price_version, amount_usd, status, day, month, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'held', $10, $11, $12, $13)
       ON CONFLICT (reservation_id) DO NOTHING RETURNING 1)
     SELECT (SELECT count(*) FROM ins)::int AS inserted,
       (SELECT coalesce(json_agg(json_build_object('tenantId', tenant_id, 'cap', cap,
          'subject', subject, 'limit', limit_usd)), '[]') FROM budget_caps
        WHERE tenant_id IN ($2, $14)) AS caps,
       (SELECT coalesce(json_agg(scope || '|' || period), '[]') FROM budget_counters
        WHERE (scope, period) IN (SELECT * FROM unnest($15::text[], $16::text[]))) AS counters`,
    [
      r.reservationId,
      r.tenantId,
      r.userId,
      r.runId,
      r.agent,
      r.kind,
      r.item,
      r.priceVersion,
      r.amountUsd,
      r.day,
      r.month,
      r.createdAt,
      r.expiresAt,
      GLOBAL_CAP_TENANT,
      candidates.map((c) => c.scope),
      candidates.map((c) => c.period),
    ],
  );
  return {
    inserted: row!.inserted === 1,
    caps: row!.caps.map(({ limit, ...c }) => ({ ...c, limitUsd: Number(limit) })),
    counters: new Set(row!.counters),
  };
}

export async function storedDecision(sql: Sql, reservationId: string): Promise<StoredDecision> {
  const [row] = await sql<{
    status: ReservationStatus;
    amount: string;
    price_version: string;
    refusal: BudgetRefusal | null;
  }>(
    `SELECT status, amount_usd AS amount, price_version, refusal FROM budget_reservations
     WHERE reservation_id = $1`,
    [reservationId],
  );
  return {
    status: row.status,
    amountUsd: Number(row.amount),
    priceVersion: row.price_version,
    refusal: row.refusal,
  };
}

export async function markRefused(sql: Sql, reservationId: string, refusal: BudgetRefusal) {
  await sql(
    `UPDATE budget_reservations SET status = 'refused', refusal = $2 WHERE reservation_id = $1`,
    [reservationId, JSON.stringify(refusal)],
  );
}

const LEDGER_COLUMNS = `reservation_id AS "reservationId", tenant_id AS "tenantId",
  user_id AS "userId", run_id AS "runId", day::text AS day, month, amount_usd AS "amountUsd",
  status, held_scopes AS "heldScopes"`;

type LedgerRowText = Omit<LedgerRow, 'amountUsd'> & { amountUsd: string };
const toLedgerRow = (r: LedgerRowText): LedgerRow => ({ ...r, amountUsd: Number(r.amountUsd) });

/** Locks the reservations a batch of the log names, and every held one of the runs that ended. */
export async function lockForLedger(
  sql: Sql,
  ids: readonly string[],
  endedRuns: readonly { tenantId: string; runId: string }[],
): Promise<LedgerRow[]> {
  if (ids.length === 0 && endedRuns.length === 0) return [];
  const rows = await sql<LedgerRowText>(
    `SELECT ${LEDGER_COLUMNS} FROM budget_reservations
     WHERE reservation_id = ANY($1::text[])
        OR (status = 'held' AND run_id = ANY($3::text[])
            AND (tenant_id, run_id) IN (SELECT * FROM unnest($2::text[], $3::text[])))
     ORDER BY reservation_id FOR UPDATE`,
    [ids, endedRuns.map((r) => r.tenantId), endedRuns.map((r) => r.runId)],
  );
  return rows.map(toLedgerRow);
}

/** Locks up to `limit` held reservations past their expiry; ones another sweeper holds are skipped. */
export async function lockExpired(sql: Sql, now: Date, limit: number): Promise<LedgerRow[]> {
  const rows = await sql<LedgerRowText>(
    `SELECT ${LEDGER_COLUMNS} FROM budget_reservations
     WHERE status = 'held' AND expires_at <= $1
     ORDER BY reservation_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(toLedgerRow);
}

export async function saveChanges(sql: Sql, changes: readonly RowChange[]): Promise<void> {
  if (changes.length === 0) return;
  await sql(
    `UPDATE budget_reservations r
     SET status = c.status, settled_usd = c.settled, settled_at = c.at
     FROM unnest($1::text[], $2::text[], $3::numeric[], $4::timestamptz[]) AS c(id, status, settled, at)
     WHERE r.reservation_id = c.id`,
    [
      changes.map((c) => c.reservationId),
      changes.map((c) => c.status),
      changes.map((c) => (c.settledUsd === undefined ? null : usdDecimal(c.settledUsd))),
      changes.map((c) => c.settledAt ?? null),
    ],
  );
}

/** Inserts settled rows for unreserved spend; returns the ids that were new. */
export async function insertRecords(
  sql: Sql,
  records: readonly LedgerRecord[],
): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const rows = await sql<{ id: string }>(
    `INSERT INTO budget_reservations (reservation_id, tenant_id, user_id, run_id, agent, kind, item,
       price_version, amount_usd, settled_usd, status, day, month, created_at, settled_at, expires_at)
     SELECT id, tenant, usr, run, agent, kind, item, '', cost, cost, 'settled', day, month, at, at, at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::numeric[], $9::date[], $10::text[], $11::timestamptz[])
       AS r(id, tenant, usr, run, agent, kind, item, cost, day, month, at)
     ON CONFLICT (reservation_id) DO NOTHING RETURNING reservation_id AS id`,
    [
      records.map((r) => r.id),
      records.map((r) => r.tenantId),
      records.map((r) => r.userId),
      records.map((r) => r.runId),
      records.map((r) => r.agent),
      records.map((r) => r.kind),
      records.map((r) => r.item),
      records.map((r) => usdDecimal(r.costUsd)),
      records.map((r) => r.day),
      records.map((r) => r.month),
      records.map((r) => r.at),
    ],
  );
  return new Set(rows.map((r) => r.id));
}
