import type { NatsConnection } from 'nats';
import { Client } from 'pg';
import { connectTestNats, eventually } from '../../libs/testing/src/infra.helper';
import {
  publishRunStart,
  startProcessStack,
  waitForRunEnds,
  type ProcessStack,
} from '../process-stack';

const RUNS = 40;

describe('the trace-store killed (SIGKILL) twice while runs are projected', () => {
  let stack: ProcessStack;
  let nc: NatsConnection;
  let db: Client;

  beforeAll(async () => {
    stack = await startProcessStack('projcrash', { TETHER_ACK_WAIT_MS: '2000' });
    for (const name of ['trace-store', 'budget', 'tool-executor', 'orchestrator'] as const)
      await stack.start(name);
    nc = await connectTestNats('projection-crash');
    db = new Client({ connectionString: stack.db.url });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await nc?.close();
    await stack?.stop();
  });

  it('projects every event of every run exactly once', async () => {
    const runIds = Array.from({ length: RUNS }, (_, i) => `run_projcrash${i}`);
    const start = (runId: string) =>
      publishRunStart(nc, stack.prefix, { runId, agent: 'bench-agent' });
    for (const runId of runIds.slice(0, RUNS / 2)) await start(runId);
    await stack.kill('trace-store');
    await stack.start('trace-store');
    for (const runId of runIds.slice(RUNS / 2)) await start(runId);
    await new Promise((r) => setTimeout(r, 100));
    await stack.kill('trace-store');
    await stack.start('trace-store');

    const logs = await waitForRunEnds(nc, stack.prefix, runIds, 60_000);
    const logged = new Set(logs.flat().map((s) => s.seq));

    // A batch the killed instance held comes back after the ack wait (30 s).
    const projected = await eventually(
      async () => {
        const { rows } = await db.query<{ seq: string }>(
          `SELECT seq FROM trace_events WHERE run_id = ANY($1)`,
          [runIds],
        );
        return rows.length >= logged.size ? rows.map((r) => Number(r.seq)) : undefined;
      },
      'every logged event to be projected',
      90_000,
    );
    expect(new Set(projected)).toEqual(logged);
    expect(projected).toHaveLength(logged.size);
    const { rows: runs } = await db.query<{ run_id: string; event_count: string; status: string }>(
      `SELECT run_id, event_count, status FROM trace_runs WHERE run_id = ANY($1)`,
      [runIds],
    );
    expect(runs).toHaveLength(RUNS);
    for (const r of runs) {
      const log = logs[runIds.indexOf(r.run_id)]!;
      expect(Number(r.event_count)).toBe(log.length);
      expect(r.status).toBe(log.at(-1)!.event.type.slice('run.'.length));
    }
  }, 240_000);
});
