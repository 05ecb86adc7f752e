// NATS and Postgres for a benchmark: the ones `TETHER_NATS_URL` and `DATABASE_URL` name (or the
// local defaults) when they answer, otherwise started locally as `npm start` does.
import { join } from 'node:path';
import { stateDir } from '../scripts/lib/config.mjs';
import { ensureNats, ensurePostgres } from '../scripts/lib/infra.mjs';

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
