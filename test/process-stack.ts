import { spawn, type ChildProcess } from 'node:child_process';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { isTerminalType, subjects, type StoredEvent } from '@tether/contracts';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { testAgentsDir } from './agents-dir';
import { EventStore, deleteStreams, encodeJson } from '@tether/event-store';
import {
  connectTestNats,
  createTestDatabase,
  eventually,
  testEnv,
  uniquePrefix,
  type TestDatabase,
} from '../libs/testing/src/infra.helper';

const ROOT = join(__dirname, '..');
export const ALL_SERVICES = [
  'orchestrator',
  'tool-executor',
  'approval',
  'budget',
  'trace-store',
  'eval',
  'gateway',
] as const;
export type ServiceName = (typeof ALL_SERVICES)[number];

export interface ProcessStack {
  prefix: string;
  db: TestDatabase;
  agentsDir: string;
  start(name: ServiceName, instance?: string): Promise<ChildProcess>;
  kill(name: ServiceName, signal?: NodeJS.Signals, instance?: string): Promise<void>;
  output(name: ServiceName, instance?: string): string;
  stop(): Promise<void>;
}

/**
 * Publishes `run.start` for tenant `acme`, with `req-<runId>` as its idempotency key and, when
 * given, the client's W3C `traceparent`.
 */
export async function publishRunStart(
  nc: NatsConnection,
  prefix: string,
  body: { runId: string; agent: string; input?: string; userId?: string },
  traceparent?: string,
): Promise<void> {
  const h = natsHeaders();
  h.set('Nats-Msg-Id', `req-${body.runId}`);
  if (traceparent) h.set('traceparent', traceparent);
  await nc
    .jetstream()
    .publish(
      subjects.command(prefix, 'acme', 'run.start'),
      encodeJson({ input: 'go', userId: 'u1', roles: ['user'], ...body }),
      { headers: h },
    );
}

/** Each run's log (tenant `acme`) once it holds a terminal event, in the order of `runIds`. */
export function waitForRunEnds(
  nc: NatsConnection,
  prefix: string,
  runIds: readonly string[],
  timeoutMs: number,
): Promise<StoredEvent[][]> {
  const store = new EventStore(nc, prefix);
  return Promise.all(
    runIds.map((runId) =>
      eventually(
        async () => {
          const log = await store.read('acme', runId);
          return log.some((s) => isTerminalType(s.event.type)) ? log : undefined;
        },
        `${runId} to end`,
        timeoutMs,
      ),
    ),
  );
}

/** A port the OS says is free right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The compiled services as real processes (npm test builds them first), on a unique prefix and
 * database, with the repo's agents plus the test agents in test/agents.
 */
export async function startProcessStack(
  label: string,
  env: Record<string, string> = {},
): Promise<ProcessStack> {
  const prefix = uniquePrefix(label);
  const db = await createTestDatabase(label);
  const agents = testAgentsDir();
  const agentsDir = agents.dir;
  const procs = new Map<string, { child: ChildProcess; out: string[] }>();

  const start = async (name: ServiceName, instance = '1') => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'services', name, 'dist', 'main.js')], {
      env: {
        ...process.env,
        TETHER_PREFIX: prefix,
        TETHER_NATS_URL: testEnv.natsUrl,
        DATABASE_URL: db.url,
        TETHER_AGENTS_DIR: agentsDir,
        TETHER_HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    child.stdout!.on('data', (d) => out.push(String(d)));
    child.stderr!.on('data', (d) => out.push(String(d)));
    procs.set(`${name}#${instance}`, { child, out });
    const deadline = Date.now() + 30_000;
    while (true) {
      if (child.exitCode !== null)
        throw new Error(`${name} exited with ${child.exitCode}: ${out.join('')}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${name} did not become healthy: ${out.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const kill = async (name: ServiceName, signal: NodeJS.Signals = 'SIGKILL', instance = '1') => {
    const p = procs.get(`${name}#${instance}`);
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill(signal);
    await exited;
  };

  return {
    prefix,
    db,
    agentsDir,
    start,
    kill,
    output: (name, instance = '1') => procs.get(`${name}#${instance}`)?.out.join('') ?? '',
    async stop() {
      await Promise.all(
        [...procs.values()].map(async ({ child }) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }),
      );
      const nc = await connectTestNats();
      await deleteStreams(await nc.jetstreamManager(), prefix);
      await nc.close();
      await db.drop();
      agents.remove();
    },
  };
}
