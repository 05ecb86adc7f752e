// NATS and Postgres for a benchmark: the ones `TETHER_NATS_URL` and `DATABASE_URL` name (or the
// local defaults) when they answer, otherwise started locally as `npm start` does.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root, stateDir } from '../scripts/lib/config.mjs';
import { createDatabase, dropDatabase, ensureNats, ensurePostgres } from '../scripts/lib/infra.mjs';

export async function benchInfra(log) {
  const nats = await ensureNats({
    url: process.env.TETHER_NATS_URL ?? 'nats://127.0.0.1:4222',
    dataDir: join(stateDir, 'nats'),
    log,
  });
  const pg = await ensurePostgres({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/tether',
    dataDir: join(stateDir, 'postgres'),
    log,
  });
  return { nats, pg };
}

/**
 * A fresh database `tether_<prefix>` on the benchmark's Postgres: its URL, and `drop()` for the
 * end (which never throws: a benchmark that failed should still report why).
 */
export async function benchDatabase(pg, prefix) {
  const admin = new URL(pg.databaseUrl);
  admin.pathname = '/postgres';
  const name = `tether_${prefix}`;
  await createDatabase(admin.toString(), name);
  const url = new URL(pg.databaseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => dropDatabase(admin.toString(), name).catch(() => {}),
  };
}

/**
 * Starts a built service as its own process on the benchmark's prefix, NATS and database, with
 * warnings on stderr only; `env` adds to (or overrides) its environment.
 */
export function spawnBenchService(
  name,
  { prefix, natsUrl, databaseUrl, port, env = {}, nodeArgs = [] },
) {
  const main = join(root, 'services', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${name} is not built (${main}); run npm run build`);
  return spawn(process.execPath, [...nodeArgs, main], {
    env: {
      ...process.env,
      TETHER_PREFIX: prefix,
      TETHER_NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      TETHER_HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
