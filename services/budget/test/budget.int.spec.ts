import { expectHealthy, startIsolatedService, type IsolatedService } from '@tether/testing';
import { Client } from 'pg';
import { type RunningService } from '@tether/service-kit';
import type { TestDatabase } from '@tether/testing';
import { budgetService } from '../src/budget.module';
import { loadConfig } from '../src/config';

describe('budget service', () => {
  let svc: IsolatedService;
  let sut: RunningService;
  let db: TestDatabase;

  beforeAll(async () => {
    svc = await startIsolatedService('budget', (env) => budgetService(loadConfig(env)));
    ({ sut, db } = svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  async function columns(table: string) {
    const rows: Array<{
      column_name: string;
      data_type: string;
      numeric_precision: number | null;
      numeric_scale: number | null;
    }> = await sut.dataSource.query(
      `SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    return rows;
  }

  it('listens on 3104 unless told otherwise', () => {
    expect(loadConfig({}).http.port).toBe(3104);
  });

  it('reports NATS and Postgres up on /health', () => expectHealthy(svc));

  it('creates the budget_ledger and budget_caps tables', async () => {
    const ledger = await columns('budget_ledger');
    expect(ledger.map((c) => c.column_name)).toEqual([
      'entry_id',
      'tenant_id',
      'user_id',
      'run_id',
      'kind',
      'amount_usd',
      'created_at',
    ]);
    expect(ledger.find((c) => c.column_name === 'amount_usd')).toMatchObject({
      data_type: 'numeric',
      numeric_precision: 18,
      numeric_scale: 8,
    });
    const caps = await columns('budget_caps');
    expect(caps.map((c) => c.column_name)).toEqual(['scope', 'limit_usd', 'period']);
    expect(await sut.dataSource.query(`SELECT name FROM migrations_budget`)).toEqual([
      { name: 'BudgetTables1763700000020' },
    ]);
  });

  it('accepts only reserve, settle and release ledger entries', async () => {
    // A plain client: TypeORM would log the expected constraint violation as an error.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const insert = (id: string, kind: string) =>
        pg.query(
          `INSERT INTO budget_ledger (entry_id, tenant_id, run_id, kind, amount_usd, created_at) VALUES ($1, 'acme', 'run_b1', $2, 0.00012345, now())`,
          [id, kind],
        );
      await insert('led_1', 'reserve');
      await expect(insert('led_2', 'refund')).rejects.toThrow(/check constraint/);
      const { rows } = await pg.query(
        `SELECT amount_usd FROM budget_ledger WHERE entry_id = 'led_1'`,
      );
      expect(rows[0].amount_usd).toBe('0.00012345');
    } finally {
      await pg.end();
    }
  });
});
