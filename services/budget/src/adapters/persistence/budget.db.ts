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

/** The budget tables over raw SQL: reservations need row and advisory locks TypeORM does not model. */
@Injectable()
export class BudgetDb {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One read outside any transaction. */
  readonly query: Sql = (text, params) => this.db.query(text, params);

  /**
   * Runs `work` in one transaction, again from the start (up to 5 times) when Postgres breaks a
   * deadlock or a serialization conflict by aborting it; `work` must only write through `sql`.
   */
  async transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const runner = this.db.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        const sql: Sql = async (text, params) => (await runner.query(text, params, true)).records;
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
