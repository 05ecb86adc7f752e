#!/usr/bin/env node
// The trace projection alone: the trace-store's own handler writes batches shaped like the
// standard workload's (32 runs in flight, each appending its 24 events as the services do, a
// batch every ~360 events, so a run spans ~3 batches) into a fresh database, with no NATS and
// no other service. What it costs per run in the handler's process and in Postgres, and where
// the time goes statement by statement — measured at the start and again once the table holds
// many runs, so a cost that grows with the table shows.
//
//   npm run bench:projection        BENCH_PROJECTION_RUNS=6000 BENCH_PROJECTION_ROUNDS=3
//
// Prints one JSON document.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from '../scripts/lib/config.mjs';
import { cpuMsPerRun, cpuSnapshot } from './cpu.mjs';
import { benchDatabase, benchInfra } from './infra.mjs';
import { machine, round } from './stats.mjs';

const require = createRequire(import.meta.url);
const lib = (p) => require(join(root, p));
const { DataSource } = require('typeorm');
const { Registry } = require('prom-client');
const { dataSourceOptions, migrate } = lib('libs/service-kit/dist/index.js');
const { traceStoreService } = lib('services/trace-store/dist/trace-store.module.js');
const { ProjectEventsHandler } = lib(
  'services/trace-store/dist/application/project-events.handler.js',
);
const { RunMetrics } = lib('services/trace-store/dist/application/run-metrics.js');
const { benchRun } = lib('libs/run-domain/dist/fold.bench.js');

const opt = (name, dflt) => Number(process.env[`BENCH_${name}`] ?? dflt);
const RUNS = opt('PROJECTION_RUNS', 6000);
const ROUNDS = opt('PROJECTION_ROUNDS', 3);
const IN_FLIGHT = 32;
/** Appends per run as the services make them (24 events): see bench/floor.mjs. */
const APPENDS = [1, 1, 2, 2, 1, 2, 2, 1, 2, 2, 1, 2, 2, 1, 2];
/** Rounds of appends per batch: ~360 events, what a 50 ms pull finds at ~300 runs/s. */
const APPENDS_PER_BATCH = 7;
const log = (m) => process.stderr.write(`bench: projection: ${m}\n`);

const template = benchRun();
let nextRun = 0;
let nextSeq = 0;

/** The batches of `runs` more runs, interleaved as 32 runs in flight append them. */
function batchesOf(runs) {
  const last = nextRun + runs;
  const active = [];
  const batches = [];
  const start = () => {
    const runId = `run_${String(nextRun++).padStart(26, '0')}`;
    const time = new Date().toISOString();
    const events = template.map((e, i) => ({
      ...e,
      id: `evt_${runId.slice(4)}${String(i).padStart(2, '0')}`,
      runId,
      tenantId: 'bench',
      time,
    }));
    active.push({ events, append: 0, next: 0 });
  };
  while (nextRun < last || active.length) {
    const batch = [];
    for (let round = 0; round < APPENDS_PER_BATCH; round++) {
      while (active.length < IN_FLIGHT && nextRun < last) start();
      for (let k = active.length - 1; k >= 0; k--) {
        const run = active[k];
        for (let n = APPENDS[run.append++]; n > 0; n--)
          batch.push({ seq: ++nextSeq, event: run.events[run.next++] });
        if (run.append === APPENDS.length) active.splice(k, 1);
      }
    }
    if (batch.length) batches.push(batch);
  }
  return batches;
}

/** Times each statement the handler's transactions send, by its first words. */
function timeStatements(ds) {
  const ms = new Map();
  const transaction = ds.transaction.bind(ds);
  ds.transaction = (work) =>
    transaction((tx) => {
      const query = tx.query.bind(tx);
      tx.query = async (sql, params) => {
        const t0 = performance.now();
        try {
          return await query(sql, params);
        } finally {
          const what = sql.replace(/\s+/g, ' ').trim().split(' ').slice(0, 3).join(' ');
          ms.set(what, (ms.get(what) ?? 0) + performance.now() - t0);
        }
      };
      return work(tx);
    });
  return ms;
}

async function measure(handler, statements, runs) {
  const batches = batchesOf(runs);
  statements.clear();
  const before = cpuSnapshot([['handler', process.pid]]);
  const t0 = performance.now();
  for (const batch of batches) await handler.handle(batch);
  const wallMs = performance.now() - t0;
  const cpu = cpuMsPerRun(before, cpuSnapshot([['handler', process.pid]]), runs);
  delete cpu['nats-server'];
  return {
    runs,
    batches: batches.length,
    eventsPerBatch: Math.round((runs * template.length) / batches.length),
    wallMsPerRun: round(wallMs / runs, 3),
    cpuMsPerRun: cpu,
    statementMsPerRun: Object.fromEntries(
      [...statements].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / runs, 3)]),
    ),
  };
}

const { pg } = await benchInfra(log);
const db = await benchDatabase(pg, `benchp${randomBytes(3).toString('hex')}`);
const def = traceStoreService({});
const ds = new DataSource(
  dataSourceOptions({
    url: db.url,
    service: 'trace-store',
    entities: def.entities,
    migrations: def.migrations,
    poolSize: 2,
  }),
);
try {
  await ds.initialize();
  await migrate(ds, 'trace-store');
  const statements = timeStatements(ds);
  const handler = new ProjectEventsHandler(ds, new RunMetrics(new Registry()));
  log(`warm-up: ${RUNS / 4} runs`);
  await measure(handler, statements, RUNS / 4);
  const rounds = [];
  for (let r = 1; r <= ROUNDS; r++) {
    log(`round ${r}/${ROUNDS}: ${RUNS} runs (${nextRun} stored before it)`);
    rounds.push({ storedBefore: nextRun, ...(await measure(handler, statements, RUNS)) });
  }
  process.stdout.write(
    `${JSON.stringify(
      {
        machine: machine(),
        workload: `${IN_FLIGHT} runs in flight, 24 events each, as the services append them; the trace-store's handler, no NATS`,
        rounds,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await ds.destroy().catch(() => {});
  await db.drop();
}
