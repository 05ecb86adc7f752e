#!/usr/bin/env node
// The standard workload: runs of 5 steps (4 model turns each calling the no-op tier-0 tool, then
// a final answer) with the scripted model and every service running as its own process.
// Prints one JSON document with the figures docs/PERFORMANCE.md keeps.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { root, SERVICES, stateDir } from '../scripts/lib/config.mjs';
import { benchDatabase, benchInfra, spawnBenchService } from './infra.mjs';
import { benchBudget } from './budget.mjs';
import { benchGateway } from './gateway.mjs';
import { cpuMsPerRun, cpuSnapshot } from './cpu.mjs';
import { machine, pct, round } from './stats.mjs';

const require = createRequire(import.meta.url);
const { connect } = require('nats');
// Run ids as the SDK makes them (ULIDs from a pooled random buffer).
const { newId } = require(join(root, 'libs/event-store/dist/index.js'));
const { TetherClient } = require(join(root, 'libs/sdk/dist/index.js'));

const opt = (name, dflt) => Number(process.env[`BENCH_${name}`] ?? dflt);
const SEQUENTIAL_RUNS = opt('SEQUENTIAL_RUNS', 200);
const CONCURRENCY = opt('CONCURRENCY', 32);
const THROUGHPUT_SECONDS = opt('SECONDS', 20);
// Services fresh from a start are slower for their first ~1,000 runs (V8 compiles the hot paths
// as they run): the figures are of warm services.
const WARMUP_RUNS = opt('WARMUP_RUNS', 1500);
const ORCHESTRATORS = opt('ORCHESTRATORS', 1);
const LONG_RUN_TURNS = opt('LONG_RUN_TURNS', 100);
const RECOVERY_KILLS = opt('RECOVERY_KILLS', 20);
const SWITCH_FLIPS = opt('SWITCH_FLIPS', 20);
const TOOL_CALLS = opt('TOOL_CALLS', 500);
const SSE_RUNS = opt('SSE_RUNS', 100);
const HTTP_CONNECTIONS = opt('HTTP_CONNECTIONS', 32);
const HTTP_SECONDS = opt('HTTP_SECONDS', 10);
const BUDGET_REQUESTS = opt('BUDGET_REQUESTS', 4000);
// The two-orchestrator phase, whatever BENCH_ORCHESTRATORS is: warm-up, then per-step overhead at
// concurrency 1 over TWO_ORCH_RUNS runs and runs/s at CONCURRENCY for TWO_ORCH_SECONDS.
// The second instance starts cold: it gets about half of these.
const TWO_ORCH_WARMUP_RUNS = 1000;
const TWO_ORCH_RUNS = opt('TWO_ORCH_RUNS', 100);
const TWO_ORCH_SECONDS = opt('TWO_ORCH_SECONDS', 10);
// The orchestrator's own default: the long run's snapshots are expected when it snapshots at all.
const SNAPSHOT_EVERY = Number(process.env.TETHER_SNAPSHOT_EVERY ?? 100);
const log = (m) => process.stderr.write(`bench: ${m}\n`);

const prefix = `bench${randomBytes(3).toString('hex')}`;
const tenant = 'bench';
const { nats, pg } = await benchInfra(log);
const db = await benchDatabase(pg, prefix);

// The agents the services load: the repository's, plus the long-run agent of the long-run figure.
const agentsDir = mkdtempSync(join(tmpdir(), 'tether-bench-agents-'));
for (const f of readdirSync(join(root, 'agents')))
  copyFileSync(join(root, 'agents', f), join(agentsDir, f));
const { longRunAgentYaml } = require(join(root, 'libs/testing/dist/long-run-agent.js'));
writeFileSync(join(agentsDir, 'long-run-agent.yaml'), longRunAgentYaml(LONG_RUN_TURNS, 6_000));
// For the recovery figure: one short tool turn (during which the orchestrator is killed), then an answer.
writeFileSync(
  join(agentsDir, 'recovery-agent.yaml'),
  [
    'name: recovery-agent',
    'model: { provider: scripted, id: scripted-v1, script: [{ toolCalls: [{ name: sleep, args: { ms: 200 } }] }, { text: done }] }',
    'instructions: Benchmark agent.',
    'tools: [{ name: sleep, tier: 0 }]',
    "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]",
  ].join('\n'),
);

const children = [];
let nextPort = 3900;

function spawnService(name) {
  const profile = (process.env.BENCH_PROFILE ?? '').split(',').includes(name)
    ? ['--cpu-prof', `--cpu-prof-dir=${join(stateDir, 'profiles')}`]
    : [];
  const port = ++nextPort;
  const child = spawnBenchService(name, {
    prefix,
    natsUrl: nats.url,
    databaseUrl: db.url,
    port,
    nodeArgs: profile,
    env: {
      TETHER_AGENTS_DIR: agentsDir,
      // The HTTP figure is a load test of one key: the per-key rate limit would cut it short.
      ...(name === 'gateway' && { TETHER_GATEWAY_RATE_LIMIT: '1000000000' }),
    },
  });
  const entry = { name, child, port };
  children.push(entry);
  return entry;
}

async function waitHealthy({ name, port }, check = 'health') {
  const deadline = Date.now() + 60_000;
  while (true) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/${check}`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not become ${check}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isRunning = ({ child }) => child.exitCode === null && child.signalCode === null;

/** Stops a service as `npm start` would (SIGTERM: it drains), SIGKILL if it has not after 15 s. */
async function stopService(entry) {
  if (!isRunning(entry)) return;
  const exited = new Promise((r) => entry.child.once('exit', r));
  entry.child.kill('SIGTERM');
  const timer = setTimeout(() => entry.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Brings the running orchestrator instances to `n`: starts new ones (each ready, its consumer
 * pulling, before the next) or stops the latest started.
 */
async function scaleOrchestrators(n) {
  const running = children.filter((c) => c.name === 'orchestrator' && isRunning(c));
  for (const entry of running.slice(n).reverse()) await stopService(entry);
  for (let i = running.length; i < n; i++) await waitHealthy(spawnService('orchestrator'), 'ready');
}

async function startServices() {
  // Every service once, plus more orchestrator instances sharing its durable consumer.
  const names = [
    ...SERVICES.map((s) => s.name),
    ...Array.from({ length: ORCHESTRATORS - 1 }, () => 'orchestrator'),
  ];
  for (const entry of names.map(spawnService)) await waitHealthy(entry);
}

/** Every service process, and the benchmark client itself, by name. */
const processes = () => [
  ...children.map(({ name, child }) => [name, child.pid]),
  ['bench', process.pid],
];

try {
  log(`building and starting ${SERVICES.length} services (prefix ${prefix})`);
  await startServices();
  const nc = await connect({ servers: nats.url, name: 'bench' });
  const js = nc.jetstream();
  const enc = new TextEncoder();
  // The client waits for each run as the SDK's users do: only the run's end reaches it.
  const client = new TetherClient(nc, { prefix, tenant });
  async function oneRun() {
    const t0 = performance.now();
    const { runId, end } = await client.startAndWait(
      { agent: 'bench-agent', input: 'go', userId: 'bench' },
      { timeoutMs: 30_000 },
    );
    if (end.type !== 'run.completed') throw new Error(`${runId} ended with ${end.type}`);
    return performance.now() - t0;
  }

  /** Runs at concurrency 8, to be thrown away. */
  async function warmUp(runs) {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < runs / 8; i++) await oneRun();
      }),
    );
  }

  /** Run latencies at concurrency 1 (ms). */
  async function sequential(runs) {
    const latencies = [];
    for (let i = 0; i < runs; i++) latencies.push(await oneRun());
    return latencies;
  }

  /** The projection's status once it has caught up with the stream (or after 10 s). */
  async function projectionCaughtUp() {
    let status;
    for (let i = 0; i < 100; i++) {
      status = JSON.parse(
        new TextDecoder().decode(
          (
            await nc.request(`${prefix}.svc.trace-store.status`, enc.encode('{}'), {
              timeout: 5000,
            })
          ).data,
        ),
      ).result;
      if (status.checkpoint >= status.lastSeq) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return status;
  }

  /**
   * `concurrency` runs in flight for `seconds`: runs completed, their latencies, the CPU of every
   * process per run, and the projection's lag over the phase (read once it has caught up).
   */
  async function throughput(concurrency, seconds) {
    await nc.request(`${prefix}.svc.trace-store.lag.reset`, enc.encode('{}'), { timeout: 5000 });
    const before = cpuSnapshot(processes());
    const tStart = performance.now();
    const stopAt = tStart + seconds * 1000;
    let completed = 0;
    const latencies = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < stopAt) {
          latencies.push(await oneRun());
          completed++;
        }
      }),
    );
    const elapsed = (performance.now() - tStart) / 1000;
    const after = cpuSnapshot(processes());
    const status = await projectionCaughtUp();
    return {
      completed,
      elapsed,
      latencies,
      cpuMsPerRun: cpuMsPerRun(before, after, completed),
      lagMs: status.lagMs,
    };
  }

  log(`warm-up: ${WARMUP_RUNS} runs`);
  await warmUp(WARMUP_RUNS);

  log(`concurrency 1: ${SEQUENTIAL_RUNS} runs`);
  const latencies = await sequential(SEQUENTIAL_RUNS);

  log(`concurrency ${CONCURRENCY}: ${THROUGHPUT_SECONDS} s`);
  const loaded = await throughput(CONCURRENCY, THROUGHPUT_SECONDS);

  // The same with two orchestrator instances sharing the durable consumer, then back to
  // BENCH_ORCHESTRATORS for the phases after (the recovery phase kills every running instance).
  log(
    `two orchestrators: ${TWO_ORCH_WARMUP_RUNS} warm-up runs, ${TWO_ORCH_RUNS} runs at ` +
      `concurrency 1, ${TWO_ORCH_SECONDS} s at concurrency ${CONCURRENCY}`,
  );
  await scaleOrchestrators(2);
  await warmUp(TWO_ORCH_WARMUP_RUNS);
  const twoOrchPerStep = (await sequential(TWO_ORCH_RUNS)).map((l) => l / 5);
  const twoOrchLoaded = await throughput(CONCURRENCY, TWO_ORCH_SECONDS);
  const twoOrchestrators = {
    perStepP50Ms: round(pct(twoOrchPerStep, 0.5)),
    perStepP99Ms: round(pct(twoOrchPerStep, 0.99)),
    runsPerSecond: round(twoOrchLoaded.completed / twoOrchLoaded.elapsed, 1),
    cpuPerRunMs: twoOrchLoaded.cpuMsPerRun.total,
  };
  await scaleOrchestrators(ORCHESTRATORS);

  log(`long run: ${LONG_RUN_TURNS} tool turns with a ~150k-token context`);
  const longRunId = newId('run');
  let longRunMs;
  {
    const t0 = performance.now();
    await client.startAndWait({
      runId: longRunId,
      agent: 'long-run-agent',
      input: 'go',
      userId: 'bench',
    });
    longRunMs = performance.now() - t0;
  }
  const { EventStore, SnapshotStore } = require(join(root, 'libs/event-store/dist/index.js'));
  const { objectBucketNames } = require(join(root, 'contracts/dist/index.js'));
  const runDomain = require(join(root, 'libs/run-domain/dist/index.js'));
  const store = new EventStore(nc, prefix);
  // Loading the long run both ways: every event read and folded, and the orchestrator's way, its
  // latest snapshot (of the version the orchestrator processes write) and the events after it.
  const { VERSION: orchestratorVersion } = require(
    join(root, 'services/orchestrator/dist/config.js'),
  );
  const snapshotVersion = `run-state-${runDomain.RUN_STATE_VERSION}@${orchestratorVersion}`;
  const snapshots = new SnapshotStore(js, prefix);
  const wholeLogLoads = [];
  const snapshotLoads = [];
  let longLog;
  let wholeLogState;
  let fromSnapshot;
  for (let i = 0; i < 10; i++) {
    let t0 = performance.now();
    longLog = await store.read(tenant, longRunId);
    wholeLogState = runDomain.fold(longLog.map((e) => e.event));
    wholeLogLoads.push(performance.now() - t0);
    t0 = performance.now();
    fromSnapshot = await snapshots.load(store, tenant, longRunId, runDomain.fold, snapshotVersion);
    snapshotLoads.push(performance.now() - t0);
  }
  const { snapshot } = fromSnapshot;
  const snapshotBucket = objectBucketNames(prefix).snapshots;
  if (!snapshot && SNAPSHOT_EVERY > 0 && longLog.length > SNAPSHOT_EVERY)
    throw new Error(
      `long run: ${longLog.length} events but no snapshot of version ${snapshotVersion} ` +
        `in ${snapshotBucket} (TETHER_SNAPSHOT_EVERY ${SNAPSHOT_EVERY})`,
    );
  // Keys sorted: a state that went through JSON (the snapshot) may list them in another order.
  const canonical = (v) =>
    JSON.stringify(v, (_k, x) =>
      x && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : x,
    );
  if (canonical(fromSnapshot.state) !== canonical(wholeLogState)) {
    const keys = new Set([...Object.keys(wholeLogState), ...Object.keys(fromSnapshot.state)]);
    const differing = [...keys].filter(
      (k) => canonical(wholeLogState[k]) !== canonical(fromSnapshot.state[k]),
    );
    throw new Error(
      `long run: the state loaded from the snapshot at sequence ${snapshot?.seq} differs from ` +
        `the fold of the whole log, in: ${differing.join(', ')}`,
    );
  }
  const snapshotInfo = snapshot
    ? await (await js.views.os(snapshotBucket)).info(`${tenant}/${longRunId}`)
    : undefined;
  const longRun = {
    turns: LONG_RUN_TURNS,
    events: longLog.length,
    logBytes: longLog.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.event)), 0),
    lastTurnInputTokens: longLog
      .map((e) => e.event)
      .filter((e) => e.type === 'model.responded')
      .at(-1).data.usage.inputTokens,
    runMs: round(longRunMs),
    loadWholeLogP50Ms: round(pct(wholeLogLoads, 0.5)),
    loadWholeLogMaxMs: round(Math.max(...wholeLogLoads)),
    loadFromSnapshotP50Ms: round(pct(snapshotLoads, 0.5)),
    loadFromSnapshotMaxMs: round(Math.max(...snapshotLoads)),
    snapshotSeq: snapshot?.seq ?? null,
    eventsAfterSnapshot: longLog.filter((e) => e.seq > (snapshot?.seq ?? 0)).length,
    snapshotBytes: snapshotInfo?.size ?? null,
  };

  log(`recovery: ${RECOVERY_KILLS} × SIGKILL of the orchestrator in the middle of a run`);
  const recoveries = [];
  for (let i = 0; i < RECOVERY_KILLS; i++) {
    const runId = newId('run');
    let killedAt;
    let sub;
    const recovered = new Promise((resolve) => {
      sub = nc.subscribe(`${prefix}.evt.${tenant}.${runId}`, {
        callback: (_err, m) => {
          const type = m.headers?.get('Tether-Type');
          if (type === 'tool.started' && killedAt === undefined) {
            // Kill every orchestrator while the run's tool is running, start a new one at once.
            killedAt = performance.now();
            for (const c of children.filter(
              (c) => c.name === 'orchestrator' && c.child.exitCode === null,
            ))
              c.child.kill('SIGKILL');
            spawnService('orchestrator');
          } else if (type === 'model.requested' && killedAt !== undefined) {
            resolve(performance.now() - killedAt);
          }
        },
      });
    });
    await client.startRun({ runId, agent: 'recovery-agent', input: 'go', userId: 'bench' });
    recoveries.push(await recovered);
    sub.unsubscribe();
    await waitHealthy(children.filter((c) => c.name === 'orchestrator').at(-1));
  }
  const recovery = recoveries.length
    ? {
        kills: recoveries.length,
        p50Ms: round(pct(recoveries, 0.5)),
        maxMs: round(Math.max(...recoveries)),
      }
    : undefined;

  log(`kill switches: ${SWITCH_FLIPS} flips, each until a tool-executor watcher sees it`);
  // The tool-executor's own watcher class, in this process: the figure is the flip (audit record
  // on _CTL, then the KV put) plus the KV watch delivering it, not a tool call refused.
  const { flipToolSwitch } = require(join(root, 'libs/sdk/dist/index.js'));
  const { KvKillSwitches } = require(
    join(root, 'services/tool-executor/dist/adapters/nats/kill-switch.watcher.js'),
  );
  const switchWatcher = new KvKillSwitches(nc, { prefix }, require('pino')({ level: 'silent' }));
  await switchWatcher.onModuleInit();
  const flips = [];
  for (let i = 0; i < SWITCH_FLIPS; i++) {
    const enabled = i % 2 === 1;
    const t0 = performance.now();
    await flipToolSwitch(js, prefix, {
      tool: 'bench_tool',
      tenant,
      enabled,
      by: 'bench',
      reason: `bench flip ${i}`,
    });
    while ((switchWatcher.disabled(tenant, 'bench_tool') === undefined) !== enabled) {
      if (performance.now() - t0 > 5000) throw new Error(`flip ${i} not seen within 5 s`);
      await new Promise((r) => setImmediate(r));
    }
    flips.push(performance.now() - t0);
  }
  await switchWatcher.onModuleDestroy();
  const killSwitchFlipToWatcherMs = flips.length
    ? { flips: flips.length, p50: round(pct(flips, 0.5)), max: round(Math.max(...flips)) }
    : undefined;

  log(`tool-executor: ${TOOL_CALLS} calls of the no-op tool, straight to the executor`);
  // Each call gets a run of its own in the log, as the orchestrator would leave it (started, one
  // model turn asking for the tool), then one request to the executor. Its own overhead is the
  // round trip minus the tool's latency: the gate, the two appends and the reply.
  const { loadAgents } = require(join(root, 'libs/agents/dist/index.js'));
  const { toEnvelopes, requestService } = require(join(root, 'libs/event-store/dist/index.js'));
  const benchAgent = loadAgents(agentsDir).get('bench-agent');
  /** A run in the log waiting for one no-op call, and the request that asks the executor to run it. */
  async function preparedCall(i) {
    const runId = newId('run');
    const ctx = { now: new Date().toISOString(), release: benchAgent };
    let state = runDomain.initialState();
    let seq = 0;
    let lastId;
    const commands = [
      {
        type: 'StartRun',
        tenantId: tenant,
        release: benchAgent,
        command: { runId, agent: 'bench-agent', input: 'go', userId: 'bench', roles: ['user'] },
      },
      { type: 'RequestModel', provider: 'scripted', model: 'scripted-v1' },
      {
        type: 'RecordModelResponse',
        response: {
          model: 'scripted-v1',
          toolCalls: [{ name: 'noop', args: { i } }],
          usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, reasoningTokens: 0 },
          costUsd: 0,
          latencyMs: 0,
          finishReason: 'tool_calls',
        },
      },
    ];
    for (const command of commands) {
      const events = toEnvelopes(runDomain.decide(command, state, ctx), {
        runId,
        tenantId: tenant,
        source: 'bench',
        causationId: lastId,
      });
      for (const e of events) {
        seq = (await store.append(e, seq)).seq;
        lastId = e.id;
      }
      state = runDomain.fold(events, state);
    }
    const call = state.pendingCalls[0];
    return {
      tenantId: tenant,
      runId,
      callId: call.callId,
      tool: call.tool,
      tier: call.tier,
      args: call.args,
      expectedSeq: seq,
      agent: 'bench-agent',
      release: benchAgent.release,
      userId: 'bench',
      roles: ['user'],
      mode: 'live',
      causationId: lastId,
      resume: false,
    };
  }
  const execute = (body) =>
    requestService(nc, prefix, 'tool-executor', 'tool.execute', body, 10_000);

  const toolOverheads = [];
  for (let i = 0; i < TOOL_CALLS; i++) {
    const body = await preparedCall(i);
    const t0 = performance.now();
    const reply = await execute(body);
    const rtt = performance.now() - t0;
    const done = reply.events.find((e) => e.type === 'tool.completed');
    if (!done) throw new Error(`tool call ${i} did not complete: ${JSON.stringify(reply.events)}`);
    toolOverheads.push(rtt - done.data.latencyMs);
  }

  log(`kill switches: ${SWITCH_FLIPS / 2} flips, each until the executor first refuses a call`);
  // Calls are fired back to back from the moment the flip starts; the figure is the flip until
  // the first refusal (kill_switch) the executor answers.
  const denials = [];
  for (let k = 0; k < SWITCH_FLIPS / 2; k++) {
    const ready = [];
    for (let i = 0; i < 200; i++) ready.push(await preparedCall(i));
    const t0 = performance.now();
    const flipped = flipToolSwitch(js, prefix, {
      tool: 'noop',
      tenant,
      enabled: false,
      by: 'bench',
      reason: `bench denial ${k}`,
    });
    let denied = false;
    for (const body of ready) {
      const reply = await execute(body);
      if (reply.events.some((e) => e.type === 'tool.denied' && e.data.reason === 'kill_switch')) {
        denials.push(performance.now() - t0);
        denied = true;
        break;
      }
    }
    await flipped;
    if (!denied) throw new Error(`flip ${k}: 200 calls ran and none was refused`);
    await flipToolSwitch(js, prefix, {
      tool: 'noop',
      tenant,
      enabled: true,
      by: 'bench',
      reason: `bench denial ${k} over`,
    });
    await new Promise((r) => setTimeout(r, 100));
  }
  const killSwitchFlipToDenialMs = denials.length
    ? { flips: denials.length, p50: round(pct(denials, 0.5)), max: round(Math.max(...denials)) }
    : undefined;
  const toolExecutorOverheadMs = toolOverheads.length
    ? {
        calls: toolOverheads.length,
        p50: round(pct(toolOverheads, 0.5)),
        p99: round(pct(toolOverheads, 0.99)),
      }
    : undefined;

  const { measureFold } = require(join(root, 'libs/run-domain/dist/fold.bench.js'));
  const fold = measureFold(1000);
  const { benchGuardrails } = require(join(root, 'libs/guardrails/dist/guardrails.bench.js'));
  const guardrails = benchGuardrails(2000);
  // The budget service started with the others, on a tenant of its own.
  const budget = await benchBudget({ nc, prefix, requests: BUDGET_REQUESTS, log });
  // Last: the runs it creates over HTTP keep the services (and the cores) busy after it ends.
  const gateway = await benchGateway({
    nc,
    prefix,
    tenant,
    port: children.find((c) => c.name === 'gateway').port,
    firstEvents: SSE_RUNS,
    connections: HTTP_CONNECTIONS,
    seconds: HTTP_SECONDS,
    log,
  });

  await nc.close();

  const perStep = latencies.map((l) => l / 5);
  console.log(
    JSON.stringify(
      {
        workload:
          '5-step runs (4 no-op tier-0 tool calls + final answer), scripted model, all services as processes, projection on',
        machine: machine(),
        perStepOverheadMs: {
          p50: round(pct(perStep, 0.5)),
          p99: round(pct(perStep, 0.99)),
          runs: latencies.length,
          concurrency: 1,
        },
        throughput: {
          runsPerSecond: round(loaded.completed / loaded.elapsed, 1),
          concurrency: CONCURRENCY,
          seconds: round(loaded.elapsed, 1),
          runs: loaded.completed,
          runLatencyMs: {
            p50: round(pct(loaded.latencies, 0.5)),
            p99: round(pct(loaded.latencies, 0.99)),
          },
        },
        projectionLagMs: loaded.lagMs,
        cpuMsPerRun: loaded.cpuMsPerRun,
        foldEventsPerSecond: Math.round(fold.eventsPerSecond),
        guardrails,
        orchestrators: ORCHESTRATORS,
        twoOrchestrators,
        longRun,
        recovery,
        killSwitchFlipToWatcherMs,
        toolExecutorOverheadMs,
        killSwitchFlipToDenialMs,
        budget,
        gateway,
      },
      null,
      2,
    ),
  );
} finally {
  for (const { child } of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  try {
    const nc = await connect({ servers: nats.url });
    const { deleteStreams } = require(join(root, 'libs/event-store/dist/index.js'));
    // The streams and the switches bucket of the prefix.
    await deleteStreams(await nc.jetstreamManager(), prefix).catch(() => {});
    await nc.close();
  } catch {
    // the streams may already be gone
  }
  await db.drop();
  rmSync(agentsDir, { recursive: true, force: true });
  await nats.stop?.();
  await pg.stop?.();
}
