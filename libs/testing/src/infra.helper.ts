import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connect, type NatsConnection } from 'nats';

/**
 * Per-test-file isolation on the machine's real NATS and Postgres: a unique subject prefix (so
 * unique streams) and a unique database, both removed by `cleanup()`.
 */
export const testEnv = {
  natsUrl: process.env.TETHER_NATS_URL ?? 'nats://127.0.0.1:4222',
  adminUrl: process.env.TETHER_TEST_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/postgres',
};

export function uniquePrefix(label = 't'): string {
  return `${
    label
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 12) || 't'
  }${randomBytes(4).toString('hex')}`;
}

export async function connectTestNats(name = 'test'): Promise<NatsConnection> {
  return connect({ servers: testEnv.natsUrl, name });
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `tether_${label
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: testEnv.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(testEnv.adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: testEnv.adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Polls until `check` returns a value other than undefined, or fails with `what`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`,
  );
}
