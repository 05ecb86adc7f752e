import type { BudgetRefusal, SpendKind } from '@tether/contracts';
import type { ReservationStatus } from '../../domain/ledger.fold';
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

/** Inserts the reservation as held (holding nothing yet); false when its id is already taken. */
export async function insertReservation(sql: Sql, r: NewReservation): Promise<boolean> {
  const rows = await sql(
    `INSERT INTO budget_reservations (reservation_id, tenant_id, user_id, run_id, agent, kind, item,
       price_version, amount_usd, status, day, month, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'held', $10, $11, $12, $13)
     ON CONFLICT (reservation_id) DO NOTHING RETURNING reservation_id`,
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
    ],
  );
  return rows.length === 1;
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

export async function markHeld(sql: Sql, reservationId: string, heldScopes: string[]) {
  await sql(`UPDATE budget_reservations SET held_scopes = $2 WHERE reservation_id = $1`, [
    reservationId,
    heldScopes,
  ]);
}

export async function markRefused(sql: Sql, reservationId: string, refusal: BudgetRefusal) {
  await sql(
    `UPDATE budget_reservations SET status = 'refused', refusal = $2 WHERE reservation_id = $1`,
    [reservationId, JSON.stringify(refusal)],
  );
}
