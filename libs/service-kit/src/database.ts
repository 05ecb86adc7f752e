import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';

export interface DatabaseOptions {
  url: string;
  /** Each service keeps its own migrations table, so services migrate independently. */
  service: string;
  entities: DataSourceOptions['entities'];
  migrations: DataSourceOptions['migrations'];
  poolSize?: number;
}

export function dataSourceOptions(o: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: o.url,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTableName: `migrations_${o.service.replace(/-/g, '_')}`,
    migrationsRun: false,
    synchronize: false,
    extra: { max: o.poolSize ?? 10 },
    logging: ['error'],
  };
}

/** Creates the database when it does not exist yet (a fresh machine), using the maintenance db. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0)
      await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err) => {
        // Two services creating it at once: the loser sees "already exists", which is fine.
        if (!/already exists/.test(String(err.message))) throw err;
      });
  } finally {
    await c.end();
  }
}

/**
 * Runs pending migrations under a Postgres advisory lock, so N instances starting together
 * migrate exactly once.
 */
export async function migrate(dataSource: DataSource, lockName: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lockName]);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock(hashtext($1))', [lockName])
      .catch(() => undefined);
    await runner.release();
  }
}
