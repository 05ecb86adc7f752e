#!/usr/bin/env node
// The trace-store's query figures with a realistic amount of history: seeds 100,000 runs (a
// month of them, 90% in one tenant, 8 agents, 2,000 users, 24 tools, every outcome) through the
// trace-store's own projection code into a fresh database, then asks over the bus, as the
// gateway and the CLI do: a run's timeline, and filtered run lists (first and deeper pages).
//
//   npm run bench:queries            BENCH_QUERY_RUNS=100000 BENCH_QUERY_SAMPLES=1000
//
// Prints one JSON document; docs/PERFORMANCE.md keeps the figures.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from '../scripts/lib/config.mjs';
import { benchDatabase, benchInfra } from './infra.mjs';
import { machine, pct, round } from './stats.mjs';

const require = createRequire(import.meta.url);
const { ulid } = require('ulid');
const lib = (p) => require(join(root, p));
const { startService, baseConfig } = lib('libs/service-kit/dist/index.js');
const { requestService, deleteStreams } = lib('libs/event-store/dist/index.js');
const { traceStoreService } = lib('services/trace-store/dist/trace-store.module.js');
const { ProjectEventsHandler } = lib(
  'services/trace-store/dist/application/project-events.handler.js',
);

const opt = (name, dflt) => Number(process.env[`BENCH_${name}`] ?? dflt);
const RUNS = opt('QUERY_RUNS', 100_000);
const SAMPLES = opt('QUERY_SAMPLES', 1000);
/** BENCH_QUERY_KEEP=1 keeps the seeded database (its name is printed) to look at query plans. */
const KEEP = process.env.BENCH_QUERY_KEEP === '1';
const BATCH_EVENTS = 2000;
const log = (m) => process.stderr.write(`bench: ${m}\n`);

const TENANT = 'bench';
const AGENTS = Array.from({ length: 8 }, (_, i) => `agent-${i}`);
const TOOLS = Array.from({ length: 24 }, (_, i) => `tool_${i}`);
const USERS = 2000;
const MONTH_MS = 30 * 24 * 3600 * 1000;
const usage = { inputTokens: 900, outputTokens: 120, cachedInputTokens: 0, reasoningTokens: 0 };

/** Deterministic per run, so two seedings are alike: the run's shape comes from its number. */
function runOf(i, startMs) {
  const tenantId = i % 10 === 9 ? `other${i % 7}` : TENANT;
  const agent = AGENTS[i % AGENTS.length];
  const runId = `run_${ulid(startMs)}`;
  const turns = 1 + (i % 3);
  const fate = i % 50; // 0–39 success, 40–43 tool failure, 44–46 aborted, 47 cancelled, 48 rejected, 49 approval
  let t = startMs;
  const events = [];
  const add = (type, data) => {
    t += 40 + (i % 17);
    events.push({
      id: `evt_${ulid(t)}`,
      type,
      schemaVersion: 1,
      runId,
      tenantId,
      time: new Date(t).toISOString(),
      source: 'bench@0',
      data,
    });
  };
  if (fate === 48) {
    add('run.rejected', { reason: 'unknown_agent', message: 'No such agent.', agent });
    return events;
  }
  add('run.started', {
    agent,
    release: `rel_${agent}_${(i >> 12) % 3}`,
    input: 'Where is my order?',
    userId: `user_${i % USERS}`,
    roles: ['user'],
    mode: 'live',
    model: { provider: 'openai', id: 'gpt-4o-2024-08-06' },
    limits: { maxSteps: 15, maxToolCalls: 25, maxTokens: 200000, timeoutMs: 90000 },
  });
  for (let s = 1; s <= turns; s++) {
    const callId = `call_${s}_0`;
    const tool = TOOLS[(i * 7 + s) % TOOLS.length];
    const tier = fate === 49 && s === turns ? 2 : 0;
    add('model.requested', { step: s, attempt: 1, provider: 'openai', model: 'gpt-4o-2024-08-06' });
    add('model.responded', {
      step: s,
      attempt: 1,
      model: 'gpt-4o-2024-08-06',
      toolCalls: [{ callId, name: tool, args: { orderId: String(i) } }],
      usage,
      costUsd: 0.0035,
      latencyMs: 400 + (i % 300),
      finishReason: 'tool_calls',
    });
    add('tool.requested', { callId, tool, tier, args: { orderId: String(i) }, step: s });
    if (tier === 2) {
      const approvalId = `apr_${i}`;
      add('approval.requested', {
        approvalId,
        callId,
        tool,
        tier,
        args: { orderId: String(i) },
        requestedBy: `user_${i % USERS}`,
        expiresAt: new Date(t + 3600_000).toISOString(),
        quorum: 1,
      });
      add('approval.granted', { approvalId, callId, approverId: 'ops' });
    }
    const idem = { attempt: 1, idempotencyKey: `${runId}:${callId}`, dryRun: false };
    add('tool.started', { callId, tool, ...idem, deadline: new Date(t + 30_000).toISOString() });
    if (fate >= 40 && fate <= 43 && s === turns) {
      add('tool.failed', {
        callId,
        tool,
        reason: 'tool_error',
        error: 'HTTP 503',
        retryable: true,
      });
      add('run.failed', { outcome: 'failure', reason: 'tool_error', message: 'A tool failed.' });
      return events;
    }
    add('tool.completed', { callId, tool, result: { ok: true }, latencyMs: 20, dryRun: false });
    if (i % 33 === 0)
      add('guardrail.triggered', {
        ruleId: 'injection.ignore_previous',
        stage: 'tool_result',
        action: 'flag',
        callId,
      });
  }
  if (fate >= 44 && fate <= 46) {
    const reason = fate === 44 ? 'loop_detected' : 'max_steps';
    add('run.aborted', { outcome: 'aborted', reason, message: 'The run was stopped.' });
  } else if (fate === 47) {
    add('run.cancelled', { outcome: 'cancelled', reason: 'cancelled', message: 'Cancelled.' });
  } else {
    add('model.requested', {
      step: turns + 1,
      attempt: 1,
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
    });
    add('model.responded', {
      step: turns + 1,
      attempt: 1,
      model: 'gpt-4o-2024-08-06',
      text: 'Your order has shipped.',
      usage,
      costUsd: 0.0035,
      latencyMs: 350,
      finishReason: 'stop',
    });
    add('run.completed', {
      outcome: 'success',
      reason: 'completed',
      message: 'Done.',
      output: 'Your order has shipped.',
    });
  }
  return events;
}

async function seed(handler) {
  const first = Date.now() - MONTH_MS;
  let seq = 0;
  let batch = [];
  let events = 0;
  const runIds = [];
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const run = runOf(i, first + Math.floor((i * MONTH_MS) / RUNS));
    if (run[0].tenantId === TENANT) runIds.push(run[0].runId);
    for (const event of run) batch.push({ seq: ++seq, event });
    if (batch.length >= BATCH_EVENTS) {
      events += await handler.handle(batch);
      batch = [];
    }
    if ((i + 1) % 10_000 === 0)
      log(
        `seeded ${i + 1}/${RUNS} runs (${Math.round(events / ((performance.now() - t0) / 1000))} events/s)`,
      );
  }
  if (batch.length) events += await handler.handle(batch);
  return { runIds, events, seconds: (performance.now() - t0) / 1000 };
}

/** Times `n` calls of `ask(k)`, one at a time; returns p50/p99/max in ms. */
async function timed(n, ask) {
  const ms = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    await ask(k);
    ms.push(performance.now() - t0);
  }
  return {
    samples: n,
    p50: round(pct(ms, 0.5)),
    p99: round(pct(ms, 0.99)),
    max: round(Math.max(...ms)),
  };
}

const prefix = `benchq${randomBytes(3).toString('hex')}`;
const { nats, pg } = await benchInfra(log);
const db = await benchDatabase(pg, prefix);
let svc;
try {
  svc = await startService(
    traceStoreService(
      baseConfig(
        {
          TETHER_PREFIX: prefix,
          TETHER_NATS_URL: nats.url,
          DATABASE_URL: db.url,
          TETHER_HTTP_PORT: '0',
          LOG_LEVEL: 'warn',
        },
        'trace-store',
        'bench',
        0,
      ),
    ),
  );
  log(`seeding ${RUNS} runs through the projection`);
  const seeded = await seed(svc.app.get(ProjectEventsHandler));
  await svc.dataSource.query('ANALYZE');
  const ask = (op, body) => requestService(svc.nc, prefix, 'trace-store', op, body, 10_000);
  const pickRun = (k) => seeded.runIds[(k * 7919) % seeded.runIds.length];

  // Warm the caches a reader of a busy system would find warm.
  await timed(200, (k) => ask('run.timeline', { tenantId: TENANT, runId: pickRun(k) }));
  log(`timeline: ${SAMPLES} runs`);
  const timeline = await timed(SAMPLES, (k) =>
    ask('run.timeline', { tenantId: TENANT, runId: pickRun(k + 1) }),
  );

  const day = (k) => new Date(Date.now() - ((k % 28) + 2) * 24 * 3600 * 1000).toISOString();
  const filters = {
    newest: () => ({}),
    user: (k) => ({ userId: `user_${(k * 13) % USERS}` }),
    agentStatus: (k) => ({ agent: AGENTS[k % AGENTS.length], status: 'failed' }),
    outcomeRange: (k) => ({ outcome: 'aborted', from: day(k + 3), to: day(k) }),
    tool: (k) => ({ tool: TOOLS[k % TOOLS.length] }),
    toolAgent: (k) => ({ tool: TOOLS[k % TOOLS.length], agent: AGENTS[(k * 3) % AGENTS.length] }),
    release: (k) => ({ release: `rel_${AGENTS[k % AGENTS.length]}_${k % 3}`, status: 'completed' }),
  };
  const lists = {};
  for (const [name, filter] of Object.entries(filters)) {
    log(`list: ${name}`);
    const per = Math.max(20, Math.floor(SAMPLES / Object.keys(filters).length));
    const fig = await timed(per, async (k) => {
      const page = await ask('run.list', { tenantId: TENANT, limit: 50, ...filter(k) });
      // Every third query goes on to its third page, as someone scrolling would.
      if (k % 3 === 0 && page.nextCursor) {
        const p2 = await ask('run.list', {
          tenantId: TENANT,
          limit: 50,
          ...filter(k),
          cursor: page.nextCursor,
        });
        if (p2.nextCursor)
          await ask('run.list', {
            tenantId: TENANT,
            limit: 50,
            ...filter(k),
            cursor: p2.nextCursor,
          });
      }
    });
    lists[name] = fig;
  }
  log('list: every filter, first pages only');
  const names = Object.keys(filters);
  const listFirstPage = await timed(SAMPLES, (k) =>
    ask('run.list', { tenantId: TENANT, limit: 50, ...filters[names[k % names.length]](k) }),
  );

  const [{ n: storedRuns }] = await svc.dataSource.query(
    'SELECT count(*)::int AS n FROM trace_runs',
  );
  process.stdout.write(
    `${JSON.stringify(
      {
        machine: machine(),
        seeded: {
          runs: storedRuns,
          runsInTenant: seeded.runIds.length,
          events: seeded.events,
          eventsPerSecond: Math.round(seeded.events / seeded.seconds),
        },
        timelineMs: timeline,
        listFirstPageMs: listFirstPage,
        listWithPagingMs: lists,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await svc?.close();
  const { connect } = require('nats');
  const nc = await connect({ servers: nats.url });
  await deleteStreams(await nc.jetstreamManager(), prefix);
  await nc.close();
  if (KEEP) log(`kept the seeded database ${db.name}; drop it when done`);
  else await db.drop();
  await nats.stop?.();
  await pg.stop?.();
}
