import { expectHealthy, startIsolatedService, type IsolatedService } from '@tether/testing';
import { Client } from 'pg';
import { type RunningService } from '@tether/service-kit';
import type { TestDatabase } from '@tether/testing';
import { loadConfig } from '../src/config';
import { evalService } from '../src/eval.module';

describe('eval service', () => {
  let svc: IsolatedService;
  let sut: RunningService;
  let db: TestDatabase;

  beforeAll(async () => {
    svc = await startIsolatedService('eval', (env) => evalService(loadConfig(env)));
    ({ sut, db } = svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  async function columnNames(table: string): Promise<string[]> {
    const rows: Array<{ column_name: string }> = await sut.dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    return rows.map((r) => r.column_name);
  }

  it('listens on 3106 unless told otherwise', () => {
    expect(loadConfig({}).http.port).toBe(3106);
  });

  it('reports NATS and Postgres up on /health', () => expectHealthy(svc));

  it('creates the eval_suites and eval_runs tables', async () => {
    expect(await columnNames('eval_suites')).toEqual(['suite_id', 'name', 'agent', 'created_at']);
    expect(await columnNames('eval_runs')).toEqual([
      'eval_run_id',
      'suite_id',
      'status',
      'created_at',
    ]);
    expect(await sut.dataSource.query(`SELECT name FROM migrations_eval`)).toEqual([
      { name: 'EvalTables1763700000030' },
    ]);
  });

  it('refuses an eval run of a suite that does not exist', async () => {
    // A plain client: TypeORM would log the expected constraint violation as an error.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      await pg.query(
        `INSERT INTO eval_suites (suite_id, name, agent, created_at) VALUES ('st_1', 'golden', 'support-agent', now())`,
      );
      await pg.query(
        `INSERT INTO eval_runs (eval_run_id, suite_id, status, created_at) VALUES ('er_1', 'st_1', 'queued', now())`,
      );
      await expect(
        pg.query(
          `INSERT INTO eval_runs (eval_run_id, suite_id, status, created_at) VALUES ('er_2', 'st_missing', 'queued', now())`,
        ),
      ).rejects.toThrow(/foreign key/);
    } finally {
      await pg.end();
    }
  });
});
