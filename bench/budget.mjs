#!/usr/bin/env node
// The budget service's figure: the reservation round trip every paid call makes before it runs.
// A fresh tenant gets a per-user and a tenant daily cap (high enough never to refuse), then 32
// callers reserve at once: first each as a different user of the tenant, then all as one user
// (every reservation then updates the same user's counter). Each reservation has its own id.
//
// `npm run bench` calls benchBudget() with the budget service it already runs; on its own,
// `node bench/budget.mjs` (after a build) starts NATS/Postgres if needed and one budget service.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root } from '../scripts/lib/config.mjs';
import { pct, round } from './stats.mjs';

const require = createRequire(import.meta.url);
const { ulid } = require('ulid');

/** One worst case: a tenth of a cent, so thousands of reservations stay far below the caps. */
const AMOUNT_USD = 0.001;

/**
 * Measures `reserve` against the budget service of `prefix` (already running) on connection `nc`.
 * Returns `{ reserveP50Ms, reserveP99Ms, concurrency, requests, contended: {…the same} }`.
 */
export async function benchBudget({
  nc,
  prefix,
  concurrency = 32,
  requests = 4000,
  warmup = 500,
  log = () => {},
}) {
  const { requestService } = require(join(root, 'libs/event-store/dist/index.js'));
  const ask = (op, body) => requestService(nc, prefix, 'budget', op, body, 10_000);
  const tenant = `bb${randomBytes(4).toString('hex')}`;

  // Far above what the bench spends (requests × AMOUNT_USD): every reservation checks both caps.
  const ceiling = (warmup + 2 * requests) * AMOUNT_USD * 100;
  for (const [cap, limitUsd] of [
    ['user_daily', ceiling],
    ['tenant_daily', ceiling * 10],
  ])
    await ask('caps.set', {
      tenantId: tenant,
      cap,
      subject: '*',
      limitUsd,
      by: 'bench',
      reason: 'budget benchmark',
    });

  /** `total` reservations from `concurrency` callers; caller i acts as user `userOf(i)`. */
  async function phase(total, userOf) {
    const latencies = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        const runId = `run_${ulid()}`;
        while (next < total) {
          next++;
          const body = {
            tenantId: tenant,
            runId,
            userId: userOf(i),
            agent: 'bench-agent',
            reservationId: `res_${runId}_${ulid()}`,
            kind: 'model',
            item: 'scripted:scripted-v1',
            amountUsd: AMOUNT_USD,
            priceVersion: 'bench',
          };
          const t0 = performance.now();
          const decision = await ask('reserve', body);
          latencies.push(performance.now() - t0);
          if (!decision.granted)
            throw new Error(`reservation refused: ${JSON.stringify(decision.refusal)}`);
        }
      }),
    );
    return {
      reserveP50Ms: round(pct(latencies, 0.5)),
      reserveP99Ms: round(pct(latencies, 0.99)),
      concurrency,
      requests: latencies.length,
    };
  }

  log(`budget: warm-up, ${warmup} reservations`);
  await phase(warmup, (i) => `warm_${i}`);
  log(`budget: ${requests} reservations from ${concurrency} callers, one user each`);
  const spread = await phase(requests, (i) => `user_${i}`);
  log(`budget: ${requests} reservations from ${concurrency} callers, all one user`);
  const contended = await phase(requests, () => 'one_user');
  return { ...spread, contended };
}

/** On its own: NATS and Postgres (reused or started), one budget service as a child process. */
async function main() {
  const { benchDatabase, benchInfra, spawnBenchService } = await import('./infra.mjs');
  const { connect } = require('nats');
  const log = (m) => process.stderr.write(`bench: ${m}\n`);
  const opt = (name, dflt) => Number(process.env[`BENCH_${name}`] ?? dflt);
  const prefix = `benchb${randomBytes(3).toString('hex')}`;
  const { nats, pg } = await benchInfra(log);
  const db = await benchDatabase(pg, prefix);

  const port = Number(process.env.BENCH_BUDGET_PORT ?? 3994);
  const child = spawnBenchService('budget', {
    prefix,
    natsUrl: nats.url,
    databaseUrl: db.url,
    port,
  });
  let nc;
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (child.exitCode !== null) throw new Error(`budget exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('budget did not become healthy');
      await new Promise((r) => setTimeout(r, 100));
    }
    nc = await connect({ servers: nats.url, name: 'bench-budget' });
    const budget = await benchBudget({
      nc,
      prefix,
      concurrency: opt('BUDGET_CONCURRENCY', 32),
      requests: opt('BUDGET_REQUESTS', 4000),
      warmup: opt('BUDGET_WARMUP', 500),
      log,
    });
    console.log(JSON.stringify({ budget }, null, 2));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    if (child.exitCode === null) child.kill('SIGKILL');
    if (nc) {
      const { deleteStreams } = require(join(root, 'libs/event-store/dist/index.js'));
      await deleteStreams(await nc.jetstreamManager(), prefix).catch(() => {});
      await nc.close();
    }
    await db.drop();
    await nats.stop?.();
    await pg.stop?.();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
