#!/usr/bin/env node
// `npm start`: NATS + Postgres (reused, or started locally), the seven services as child
// processes, the demo, then wait for Ctrl-C. See DESIGN.md "Running it" and .env.example.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICES, loadDotEnv, root, servicePort, settings, stateDir } from './lib/config.mjs';
import { ensureNats, ensurePostgres, redact, tcpAnswers } from './lib/infra.mjs';
import { c, palette, relay, step } from './lib/term.mjs';

const HEALTH_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

const running = new Map(); // name → { child, exit, tail, port, label }
const stopInfra = []; // infra started here, stopped last
let demo; // the demo child while it runs
let shuttingDown = 0; // when shutdown began (ms), 0 while running

process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

main().catch(async (err) => {
  step.fail(err.message);
  await shutdown(null, 1);
});

async function main() {
  loadDotEnv();
  const cfg = settings();
  const width = Math.max(...SERVICES.map((s) => s.name.length), 'demo'.length);
  const services = SERVICES.map((s, i) => ({
    ...s,
    port: servicePort(s),
    main: join(root, 'services', s.name, 'dist', 'main.js'),
    label: palette[i % palette.length](`[${s.name}]`.padEnd(width + 2)),
  }));
  const built = services.filter((s) => existsSync(s.main));
  for (const s of services.filter((s) => !built.includes(s))) {
    step.warn(`${s.name}: services/${s.name}/dist/main.js does not exist yet — skipping it`);
  }

  // A port already taken would make the health check talk to someone else's process.
  for (const s of built) {
    if (await tcpAnswers('127.0.0.1', s.port)) {
      throw new Error(
        `port ${s.port} (${s.name}) is already in use — is another Tether running? ` +
          `Stop it, or set ${s.portVar} to a free port.`,
      );
    }
  }

  const nats = await ensureNats({ url: cfg.natsUrl, dataDir: join(stateDir, 'nats') });
  stopInfra.push(nats.stop);
  if (shuttingDown) return;
  const pg = await ensurePostgres({
    databaseUrl: cfg.databaseUrl,
    dataDir: join(stateDir, 'postgres'),
  });
  stopInfra.push(pg.stop);
  if (shuttingDown) return;

  const gateway = services.find((s) => s.name === 'gateway');
  const env = {
    ...process.env,
    TETHER_PREFIX: cfg.prefix,
    TETHER_NATS_URL: nats.url,
    DATABASE_URL: pg.databaseUrl,
    TETHER_AGENTS_DIR: resolve(cfg.agentsDir),
    TETHER_GATEWAY_URL: `http://127.0.0.1:${gateway.port}`,
    ...(cfg.logLevel ? { LOG_LEVEL: cfg.logLevel } : {}),
  };

  if (built.length === 0) {
    step.warn('no service is built yet (services/*/dist/main.js) — only NATS and Postgres are up');
  } else {
    step.start(`starting ${built.map((s) => s.name).join(', ')} …`);
    for (const s of built) launch(s, env);
    const failure = await firstFailure(built);
    if (shuttingDown) return;
    if (failure) {
      // The first to fail, plus any other that has died meanwhile.
      const dead = built.filter((s) => s !== failure.s && running.get(s.name).exited);
      const report = [
        failure,
        ...dead.map((s) => ({ s, why: describe(running.get(s.name).exited) })),
      ];
      for (const { s, why } of report) {
        step.fail(`${c.bold(s.name)} did not become healthy: ${why}`);
        const tail = running.get(s.name).tail();
        step.info(c.dim(`last output of ${s.name}:`));
        for (const line of tail.slice(-20)) step.info(c.dim(`  ${line}`));
        if (!tail.length) step.info(c.dim('  (no output)'));
      }
      return shutdown(null, 1);
    }
    step.ok(`all ${built.length} service(s) healthy`);
  }

  if (cfg.demo && existsSync(join(root, 'scripts', 'demo.mjs'))) {
    if (!running.has('gateway')) {
      step.warn('skipping the demo: the gateway is not running');
    } else {
      await runDemo(env, width);
      if (shuttingDown) return;
    }
  }

  summary({ cfg, nats, pg, services, gateway });
  setInterval(() => {}, 1 << 30); // stay up until a signal, even with nothing else running
}

function launch(s, env) {
  const child = spawn(process.execPath, ['--enable-source-maps', s.main], {
    cwd: root,
    env: { ...env, TETHER_HTTP_PORT: String(s.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { child, port: s.port, healthy: false, ...relay(child, s.label, { keep: 40 }) };
  entry.exit = new Promise((res) => {
    child.once('error', (err) => res({ error: err }));
    // 'close', not 'exit': it comes after the child's output is drained, so its last lines show.
    child.once('close', (code, signal) => res({ code, signal }));
  });
  entry.exit.then((how) => {
    entry.exited = how;
    if (shuttingDown || !entry.healthy) return; // stopping, or reported by waitHealthy
    console.error(
      `\n${c.redBold(`✗✗✗ ${s.name} DIED (${describe(how)})`)} — the other services keep running. ` +
        `Its last lines are above; restart with npm start.\n`,
    );
  });
  running.set(s.name, entry);
}

/** Resolves once all are healthy (undefined), or at the first that is not ({ s, why }). */
function firstFailure(services) {
  return new Promise((res) => {
    let left = services.length;
    for (const s of services) {
      waitHealthy(s).then((r) => {
        if (!r.ok) res({ s, why: r.why });
        else if (--left === 0) res(undefined);
      });
    }
  });
}

function describe(how) {
  return how.error
    ? how.error.message
    : how.signal
      ? `signal ${how.signal}`
      : `exit code ${how.code}`;
}

async function waitHealthy(s) {
  const entry = running.get(s.name);
  const url = `http://127.0.0.1:${s.port}/health`;
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer';
  while (!shuttingDown) {
    if (entry.exited) {
      return { ok: false, why: `it exited (${describe(entry.exited)})` };
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) {
        entry.healthy = true;
        step.ok(`${s.name} healthy at ${url}`);
        return { ok: true };
      }
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    if (Date.now() > deadline) {
      return {
        ok: false,
        why: `no 200 from ${url} within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last})`,
      };
    }
    await sleep(300);
  }
  return { ok: false, why: 'stopping' };
}

async function runDemo(env, width) {
  step.start('running the demo (scripts/demo.mjs) …');
  demo = spawn(process.execPath, [join(root, 'scripts', 'demo.mjs')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  relay(demo, c.bold('[demo]'.padEnd(width + 2)));
  const how = await new Promise((res) => {
    demo.once('error', (err) => res({ error: err }));
    demo.once('close', (code, signal) => res({ code, signal }));
  });
  demo = undefined;
  if (shuttingDown) return;
  if (how.code === 0) step.ok('demo finished');
  else step.fail(`demo failed (${describe(how)}) — the stack keeps running so you can look around`);
}

function summary({ cfg, nats, pg, services, gateway }) {
  const rule = c.dim('─'.repeat(72));
  const where = (started, what) =>
    started ? c.dim(`(started here, data .tether/${what})`) : c.dim('(already running)');
  console.log(`\n${rule}\n${c.bold('Tether is up')}  ${c.dim(`prefix ${cfg.prefix}`)}`);
  console.log(`  NATS       ${redact(nats.url)} ${where(nats.started, 'nats')}`);
  console.log(`  Postgres   ${redact(pg.databaseUrl)} ${where(pg.started, 'postgres')}`);
  services.forEach((s, i) => {
    const head = i === 0 ? '  services   ' : '             ';
    const state = running.get(s.name)
      ? running.get(s.name).exited
        ? c.red('died')
        : `http://127.0.0.1:${s.port}/health`
      : c.yellow('not built — skipped');
    console.log(`${head}${s.name.padEnd(14)} ${state}`);
  });
  if (running.has('gateway'))
    console.log(`  gateway    ${c.bold(`http://127.0.0.1:${gateway.port}`)}`);
  console.log(`${rule}\nCtrl-C to stop.\n`);
}

async function shutdown(reason, code = 0) {
  if (shuttingDown) {
    // A second Ctrl-C forces; one arriving within half a second is the same Ctrl-C delivered
    // twice (as `timeout` and some terminals/wrappers do), not a second request.
    if (reason && Date.now() - shuttingDown > 500) {
      step.warn(`${reason} again — killing the services now`);
      for (const { child } of running.values()) child.kill('SIGKILL');
      demo?.kill('SIGKILL');
    }
    return;
  }
  shuttingDown = Date.now();
  if (reason) console.log('');
  const alive = [...running.entries()].filter(([, e]) => !e.exited);
  const names = [...alive.map(([n]) => n), ...(demo ? ['demo'] : [])];
  if (names.length) {
    step.start(
      `stopping ${names.join(', ')} …${reason ? c.dim(' (Ctrl-C again to kill them)') : ''}`,
    );
  }
  demo?.kill('SIGTERM');
  for (const [, e] of alive) e.child.kill('SIGTERM');
  await Promise.all(
    alive.map(async ([name, e]) => {
      const timer = sleep(STOP_TIMEOUT_MS).then(() => 'timeout');
      if ((await Promise.race([e.exit, timer])) === 'timeout') {
        step.warn(`${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s — SIGKILL`);
        e.child.kill('SIGKILL');
        await e.exit;
      }
    }),
  );
  if (alive.length) step.ok('services stopped');
  for (const stop of stopInfra.reverse()) {
    await stop().catch((err) => step.fail(err.message));
  }
  if (reason) step.ok('stopped');
  process.exit(code);
}
