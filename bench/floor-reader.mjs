#!/usr/bin/env node
// One reader of the run log for bench/floor.mjs, as its own process, through the same library
// the services use (`projectLog`): `project` writes every event as a row (the shape of the
// trace-store's event table, with the checkpoint in the same transaction); `skip` decodes only
// terminal events and writes nothing — what a service costs that receives every event to act on
// a few. `order` is the ack mode (`projectLog`'s): `tolerant` acks every event, `ordered` a batch.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from '../scripts/lib/config.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const lib = (p) => require(join(root, p));
const { connectNats, projectLog } = lib('libs/event-store/dist/index.js');

const [mode, order, prefix, natsUrl, databaseUrl, durable] = process.argv.slice(2);
const TERMINAL = new Set(['run.completed', 'run.failed', 'run.aborted', 'run.cancelled']);
const logger = { error: (o, m) => console.error(m, o), warn: (o, m) => console.error(m, o) };

const nc = await connectNats({ url: natsUrl, name: `floor-${durable}` });
const pool = mode === 'project' ? new Pool({ connectionString: databaseUrl, max: 2 }) : undefined;
let seen = 0;

async function project(batch) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query(
      `INSERT INTO floor_events (seq, event_id, tenant_id, run_id, type, time, source, data)
       SELECT seq, id, "tenantId", "runId", type, time, source, data
       FROM json_to_recordset($1::json) AS x(seq bigint, id text, "tenantId" text, "runId" text,
         type text, time timestamptz, source text, data json)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(batch.map(({ seq, event }) => ({ seq, ...event })))],
    );
    await client.query(
      `INSERT INTO floor_checkpoints (name, seq) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET seq = GREATEST(floor_checkpoints.seq, EXCLUDED.seq)`,
      [durable, Math.max(...batch.map((b) => b.seq))],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const running = await projectLog(
  nc,
  {
    prefix,
    durable,
    ackWaitMs: 30_000,
    name: `floor ${mode}`,
    order,
    logger,
    ...(mode === 'skip' && { types: TERMINAL }),
  },
  async (batch) => {
    if (mode === 'project' && batch.length) await project(batch);
    seen += batch.length;
  },
);
process.send?.({ ready: true });
process.on('message', async (m) => {
  if (m !== 'stop') return;
  await running.stop();
  await pool?.end();
  await nc.close();
  process.send?.({ seen });
  process.exit(0);
});
