'use strict';
// Database helpers shared by the dev scripts (ESM: `import { createDatabase } from './db.cjs'`)
// and by the jest helpers (TS compiled to CommonJS: `import { createDatabase } from
// '../../scripts/lib/db.cjs'`). CommonJS on purpose, so both worlds can load it; the only
// dependency is `pg`.
//
//   createDatabase(adminUrl, name)  create `name` unless it exists (safe to race)
//   dropDatabase(adminUrl, name)    end its sessions and drop it (no error when missing)
//   withDatabase(url, name)         the same URL pointing at another database
//
// `adminUrl` is any URL on the server whose role may create databases, e.g.
// postgres://root@127.0.0.1:5432/postgres (`npm test` exports it as TETHER_TEST_ADMIN_URL).

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS by design (see above)
const { Client } = require('pg');

const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505'; // two sessions creating the same name at once
const OBJECT_IN_USE = '55006'; // "source database template1 is being accessed by other users"

/** Same URL, other database: withDatabase('postgres://u@h:5432/a', 'b') → 'postgres://u@h:5432/b'. */
function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(name);
  return u.toString();
}

/** The database named in a URL's path (or undefined). */
function databaseName(url) {
  const path = new URL(url).pathname.replace(/^\//, '');
  return path ? decodeURIComponent(path) : undefined;
}

async function withClient(adminUrl, fn) {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function checkName(name) {
  if (typeof name !== 'string' || !name || name.length > 63) {
    throw new Error(`invalid database name ${JSON.stringify(name)} (1–63 characters)`);
  }
}

/** Creates database `name` unless it already exists. Resolves to true when it created it. */
async function createDatabase(adminUrl, name) {
  checkName(name);
  return withClient(adminUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      // datconnlimit = -2: a DROP DATABASE was interrupted half-way (Postgres 15.4+ marks the
      // database invalid); it can only be dropped, so finish the job and create it afresh.
      const { rows } = await client.query(
        'SELECT datconnlimit = -2 AS invalid FROM pg_database WHERE datname = $1',
        [name],
      );
      if (rows.length && !rows[0].invalid) return false;
      try {
        if (rows.length)
          await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}`);
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
        return true;
      } catch (err) {
        if (err.code === DUPLICATE_DATABASE || err.code === UNIQUE_VIOLATION) return false;
        if (err.code === OBJECT_IN_USE && attempt < 10) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        throw err;
      }
    }
  });
}

/** Drops database `name`, ending its sessions first. Resolves to true when it dropped it. */
async function dropDatabase(adminUrl, name) {
  checkName(name);
  return withClient(adminUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) return false;
    const ident = client.escapeIdentifier(name);
    const { rows } = await client.query("SELECT current_setting('server_version_num')::int AS v");
    if (rows[0].v >= 130000) {
      await client.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
      return true;
    }
    for (let attempt = 1; ; attempt++) {
      await client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      try {
        await client.query(`DROP DATABASE IF EXISTS ${ident}`);
        return true;
      } catch (err) {
        // a session connected between the terminate and the drop
        if (err.code !== OBJECT_IN_USE || attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  });
}

module.exports = { createDatabase, dropDatabase, withDatabase, databaseName };
