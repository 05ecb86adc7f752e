import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** One SQL statement with `$n` parameters; its rows (RETURNING rows for writes). */
export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/** Deadlock and serialization failure: the transaction lost a race and may simply run again. */
const RETRYABLE_CODES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

function isRetryable(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  return RETRYABLE_CODES.has(String(e?.code ?? e?.driverError?.code));
}

/** The part of a `pg` client used here. */
interface PgClient {
  query(q: { name: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * The budget tables over raw SQL: reservations need row and advisory locks TypeORM does not model.
 * Statements inside transactions are prepared (named): each connection plans a statement once
 * and reuses the plan, which roughly halved the Postgres CPU of a reservation (docs/PERFORMANCE.md).
 */
@Injectable()
export class BudgetDb {
  /** Statement name by text; the texts are fixed, so this stays small. */
  private readonly names = new Map<string, string>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `budget_${this.names.size}`;
      this.names.set(text, name);
    }
    return name;
  }

  /** One read outside any transaction. */
  readonly query: Sql = (text, params) => this.db.query(text, params);

  /**
   * Runs `work` in one transaction, again from the start (up to 5 times) when Postgres breaks a
   * deadlock or a serialization conflict by aborting it; `work` must only write through `sql`.
   */
  async transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const runner = this.db.createQueryRunner();
      try {
        const client = (await runner.connect()) as PgClient;
        await runner.startTransaction();
        const sql = (async (text: string, params?: unknown[]) =>
          (await client.query({ name: this.nameOf(text), text, values: params ?? [] }))
            .rows) as Sql;
        const out = await work(sql);
        await runner.commitTransaction();
        return out;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      } finally {
        await runner.release();
      }
    }
  }
}
