#!/usr/bin/env node
// The floor under the standard workload: what the event log and its readers cost on their own,
// with no service logic at all. One process appends the 24 events of each 5-step run in the
// pattern the orchestrator and the tool-executor use (one event or one decision per round trip,
// a tool's start and outcome sent back to back) and follows every run on a plain subscription,
// as the benchmark client does; readers run as their own processes (bench/floor-reader.mjs).
// Three phases, each on fresh streams: the log alone; plus a projection of every event into
// Postgres; plus two readers that receive every event to act on the terminal one.
//
//   npm run bench:floor         BENCH_FLOOR_SECONDS=15 BENCH_CONCURRENCY=32
//
// Prints one JSON document: runs/s at the concurrency, and CPU per run of every process.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from '../scripts/lib/config.mjs';
import { benchDatabase, benchInfra } from './infra.mjs';
import { cpuMsPerRun, cpuSnapshot } from './cpu.mjs';
import { machine, round } from './stats.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const lib = (p) => require(join(root, p));
const { connectNats, provisionStreams, deleteStreams, EventStore, newId } = lib(
  'libs/event-store/dist/index.js',
);
const { benchRun } = lib('libs/run-domain/dist/fold.bench.js');

const opt = (name, dflt) => Number(process.env[`BENCH_${name}`] ?? dflt);
const SECONDS = opt('FLOOR_SECONDS', 15);
const WARMUP_SECONDS = opt('FLOOR_WARMUP_SECONDS', 5);
const CONCURRENCY = opt('CONCURRENCY', 32);
const TENANT = 'bench';
const log = (m) => process.stderr.write(`bench: floor: ${m}\n`);

// Readers ack as their counterparts do: the trace-store and the budget ledger every event, the
// approval queue each batch.
const PROJECTION = { mode: 'project', order: 'tolerant' };
const PHASES = [
  { name: 'log', readers: [] },
  { name: 'logAndProjection', readers: [PROJECTION] },
  {
    name: 'logProjectionAndTwoSkippingReaders',
    readers: [PROJECTION, { mode: 'skip', order: 'tolerant' }, { mode: 'skip', order: 'ordered' }],
  },
];

const template = benchRun();

/** The run's 24 events with fresh ids, its own run id and the time of now. */
function eventsOf(runId) {
  const time = new Date().toISOString();
  return template.map((e) => ({ ...e, id: newId('evt'), runId, tenantId: TENANT, time }));
}

/**
 * One run, appended as the services do: the start; per step `model.requested` on its own (the
 * orchestrator waits for it before calling the model), the model's answer with the tool call it
 * decided together, then the tool's start with its outcome sent right behind it; the last answer
 * with `run.completed`.
 */
async function appendRun(store, events) {
  let i = 0;
  const take = (n) => events.slice(i, (i += n));
  let seq = await store.appendAll(take(1), 0);
  for (let step = 1; step <= 4; step++) {
    seq = await store.appendAll(take(1), seq);
    seq = await store.appendAll(take(2), seq);
    seq = await store.appendAll(take(2), seq);
  }
  seq = await store.appendAll(take(1), seq);
  await store.appendAll(take(2), seq);
}

/** The appender (this process) and every reader, by name. */
const processes = (readers) => [
  ['driver', process.pid],
  ...readers.map((r, i) => [`reader${i + 1}-${r.mode}`, r.child.pid]),
];

async function startReader({ mode, order }, prefix, natsUrl, databaseUrl, durable) {
  const child = fork(join(root, 'bench', 'floor-reader.mjs'), [
    mode,
    order,
    prefix,
    natsUrl,
    databaseUrl,
    durable,
  ]);
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`floor reader ${mode} exited (${code})`)));
  });
  return { mode, child };
}

async function stopReader(reader) {
  const done = new Promise((resolve) => reader.child.once('message', resolve));
  reader.child.send('stop');
  return done;
}

const { nats, pg } = await benchInfra(log);
const dbPrefix = `floor${randomBytes(3).toString('hex')}`;
const db = await benchDatabase(pg, dbPrefix);
const results = {};
const nc = await connectNats({ url: nats.url, name: 'floor-driver' });
const jsm = await nc.jetstreamManager();
try {
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  await sql.query(`CREATE TABLE floor_events (seq bigint, event_id text NOT NULL, tenant_id text,
    run_id text, type text NOT NULL, time timestamptz NOT NULL, source text, data json,
    PRIMARY KEY (tenant_id, run_id, seq))`);
  await sql.query(`CREATE TABLE floor_checkpoints (name text PRIMARY KEY, seq bigint NOT NULL)`);

  for (const phase of PHASES) {
    const prefix = `floor${randomBytes(3).toString('hex')}`;
    await provisionStreams(jsm, prefix);
    const store = new EventStore(nc, prefix);
    const readers = [];
    for (const [i, reader] of phase.readers.entries()) {
      readers.push(
        await startReader(reader, prefix, nats.url, db.url, `floor-${reader.mode}-${i}`),
      );
    }
    const waiters = new Map();
    const sub = nc.subscribe(`${prefix}.evt.${TENANT}.>`, {
      callback: (_err, m) => {
        if (m.headers?.get('Tether-Type') !== 'run.completed') return;
        waiters.get(m.subject.slice(m.subject.lastIndexOf('.') + 1))?.();
      },
    });

    let phaseEnd = 0;
    let counting = false;
    let completed = 0;
    const worker = async () => {
      while (Date.now() < phaseEnd) {
        const runId = newId('run');
        const seen = new Promise((resolve) => waiters.set(runId, resolve));
        await appendRun(store, eventsOf(runId));
        await seen;
        waiters.delete(runId);
        if (counting) completed++;
      }
    };
    log(`${phase.name}: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s at concurrency ${CONCURRENCY}`);
    phaseEnd = Date.now() + (WARMUP_SECONDS + SECONDS) * 1000;
    const workers = Array.from({ length: CONCURRENCY }, worker);
    await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
    const before = cpuSnapshot(processes(readers));
    const began = Date.now();
    counting = true;
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    counting = false;
    const after = cpuSnapshot(processes(readers));
    const elapsed = (Date.now() - began) / 1000;
    const runs = completed;
    await Promise.all(workers);
    sub.unsubscribe();

    for (const r of readers) await stopReader(r);
    await deleteStreams(jsm, prefix);
    results[phase.name] = {
      readers: phase.readers.map((r) => `${r.mode} (${r.order} acks)`),
      runsPerSecond: round(runs / elapsed, 1),
      runs,
      cpuMsPerRun: cpuMsPerRun(before, after, runs),
    };
  }
  await sql.end();
  process.stdout.write(
    JSON.stringify(
      {
        workload: `the 24 events of each 5-step run appended as the services do, followed on a plain subscription, no service logic; concurrency ${CONCURRENCY}`,
        machine: machine(),
        ...results,
      },
      null,
      2,
    ) + '\n',
  );
} finally {
  await nc.close();
  await db.drop();
}
