#!/usr/bin/env node
// `npm test [-- <jest args>]`: NATS + Postgres (reused, or started locally), a build (the e2e
// tier spawns the compiled services), then jest. Exits with jest's code.
//
// The jest process gets TETHER_NATS_URL, DATABASE_URL and TETHER_TEST_ADMIN_URL (a URL on the
// same server whose role may create and drop databases: tests use one database per file).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadDotEnv, root, settings, stateDir } from './lib/config.mjs';
import { ensureNats, ensurePostgres, redact } from './lib/infra.mjs';
import { c, step } from './lib/term.mjs';

const stops = []; // infra started here, stopped last
let current; // the child running now (build or jest)
let interrupted;
let finishing;

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted ??= signal;
    // jest shares our terminal's process group, so a Ctrl-C reaches it anyway; forwarding
    // covers a signal sent to this process alone. Without a child, clean up and leave.
    if (current) current.kill(signal);
    else finish(130);
  });
}

try {
  await main();
} catch (err) {
  step.fail(err.message);
  await finish(1);
}

async function main() {
  loadDotEnv();
  const cfg = settings();
  const nats = await ensureNats({ url: cfg.natsUrl, dataDir: join(stateDir, 'nats') });
  stops.push(nats.stop);
  const pg = await ensurePostgres({
    databaseUrl: cfg.databaseUrl,
    dataDir: join(stateDir, 'postgres'),
  });
  stops.push(pg.stop);
  if (interrupted) return finish(130);

  step.start('building (node scripts/build.mjs) …');
  const built = await run([join(root, 'scripts', 'build.mjs')], process.env);
  if (built !== 0) {
    step.fail(`build failed (exit code ${built})`);
    return finish(interrupted ? 130 : built || 1);
  }
  step.ok('build done');
  if (interrupted) return finish(130);

  const args = process.argv.slice(2);
  const setsWorkers = args.some((a) =>
    /^(--maxWorkers|--max-workers|-w|--runInBand|-i)(=|$)/.test(a),
  );
  const results = join(stateDir, 'jest-results.json');
  mkdirSync(stateDir, { recursive: true });
  rmSync(results, { force: true });
  const jestArgs = [
    '--ci',
    ...(setsWorkers ? [] : ['--maxWorkers=2']),
    '--json',
    `--outputFile=${results}`,
    ...args,
  ];
  const adminUrl = process.env.TETHER_TEST_ADMIN_URL || pg.adminUrl;
  const origin = (started) => c.dim(started ? '(started here)' : '(already running)');
  step.start(`jest ${jestArgs.join(' ')}`);
  step.info(`NATS      ${redact(nats.url)} ${origin(nats.started)}`);
  step.info(`Postgres  ${redact(pg.databaseUrl)} ${origin(pg.started)}`);
  step.info(`          admin (one database per test file): ${redact(adminUrl)}`);
  const code = await run([join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...jestArgs], {
    ...process.env,
    TETHER_NATS_URL: nats.url,
    DATABASE_URL: pg.databaseUrl,
    TETHER_TEST_ADMIN_URL: adminUrl,
  });
  // One plain closing line with the counts, whatever reporter is in use.
  if (existsSync(results)) {
    const r = JSON.parse(readFileSync(results, 'utf8'));
    console.log(
      `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`,
    );
  }
  return finish(code);
}

/** Runs `node <args>` with our stdio; resolves to its exit code (128+n when killed by signal n). */
function run(args, env) {
  return new Promise((resolve) => {
    current = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    current.once('error', (err) => {
      step.fail(err.message);
      resolve(1);
    });
    current.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15));
    });
  });
}

async function finish(code) {
  finishing ??= (async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => step.fail(err.message));
    process.exit(code);
  })();
  return finishing;
}
