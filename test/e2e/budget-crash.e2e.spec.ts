import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { Client } from 'pg';
import { connectTestNats, eventually } from '../../libs/testing/src/infra.helper';
import { costOf, ledgerOf, reservationIdsOf } from '../budget-ledger';
import {
  publishRunStart,
  startProcessStack,
  waitForRunEnds,
  type ProcessStack,
} from '../process-stack';

const RUNS = 40;

describe('the budget service killed (SIGKILL) twice while runs pay for their calls', () => {
  let stack: ProcessStack;
  let nc: NatsConnection;
  let db: Client;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-prices-'));
    const prices = join(dir, 'prices.yaml');
    writeFileSync(prices, 'version: crash-test-1\ntools:\n  noop: 0.01\n');
    stack = await startProcessStack('budgetcrash', {
      TETHER_PRICES_FILE: prices,
      // Longer than a budget restart takes: runs wait for it rather than fail.
      TETHER_BUDGET_WAIT_MS: '60000',
      TETHER_ACK_WAIT_MS: '2000',
    });
    for (const name of ['trace-store', 'budget', 'tool-executor', 'orchestrator'] as const)
      await stack.start(name);
    nc = await connectTestNats('budget-crash');
    db = new Client({ connectionString: stack.db.url });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await nc?.close();
    await stack?.stop();
  });

  const start = (runId: string, i: number) =>
    publishRunStart(nc, stack.prefix, {
      runId,
      agent: i % 2 ? 'priced-agent' : 'metered-agent',
      userId: `u_${i % 4}`,
    });

  it('ends every run, and the ledger equals the sum of the costs in the log', async () => {
    const runIds = Array.from({ length: RUNS }, (_, i) => `run_budgetcrash${i}`);
    for (const [i, runId] of runIds.slice(0, RUNS / 2).entries()) await start(runId, i);
    await stack.kill('budget');
    for (const [i, runId] of runIds.slice(RUNS / 2).entries()) await start(runId, i + RUNS / 2);
    await stack.start('budget');
    await new Promise((r) => setTimeout(r, 200));
    await stack.kill('budget');
    await stack.start('budget');

    const logs = (await waitForRunEnds(nc, stack.prefix, runIds, 90_000)).map((log) =>
      log.map((s) => s.event),
    );
    for (const events of logs) {
      expect(['run.completed', 'run.aborted']).toContain(events.at(-1)!.type);
      // Every hold was granted once: a retried reservation answers the same, never a second hold.
      const ids = reservationIdsOf(events);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const spent = logs.reduce((sum, events) => sum + costOf(events), 0);
    expect(spent).toBeGreaterThan(0);

    // An event the killed instance had in hand comes back after the ack wait (30 s).
    await eventually(
      async () => {
        const l = await ledgerOf(db);
        return l.held === 0 && Math.abs(l.settledUsd - spent) < 1e-9 ? l : undefined;
      },
      'the ledger to settle every call of the log',
      60_000,
    ).catch(() => undefined);
    const ledger = await ledgerOf(db);
    expect(ledger.held).toBe(0);
    expect(ledger.settledUsd).toBeCloseTo(spent, 9);
  }, 240_000);

  it('settles every call of runs that ended while the trace-store, which sends the ledger its notices, was killed', async () => {
    const runIds = Array.from({ length: RUNS }, (_, i) => `run_noticecrash${i}`);
    for (const [i, runId] of runIds.slice(0, RUNS / 2).entries()) await start(runId, i);
    await stack.kill('trace-store');
    for (const [i, runId] of runIds.slice(RUNS / 2).entries()) await start(runId, i + RUNS / 2);
    const logs = (await waitForRunEnds(nc, stack.prefix, runIds, 90_000)).map((log) =>
      log.map((s) => s.event),
    );
    const spent = logs.reduce((sum, events) => sum + costOf(events), 0);
    expect(spent).toBeGreaterThan(0);
    // A run's last call is settled only from the log: while no projection runs, its hold stays.
    expect((await ledgerOf(db, runIds)).held).toBeGreaterThan(0);
    await stack.start('trace-store');
    await new Promise((r) => setTimeout(r, 200));
    await stack.kill('trace-store');
    await stack.start('trace-store');

    await eventually(
      async () => {
        const l = await ledgerOf(db, runIds);
        return l.held === 0 && Math.abs(l.settledUsd - spent) < 1e-9 ? l : undefined;
      },
      'the ledger to settle every call of the log',
      60_000,
    ).catch(() => undefined);
    const ledger = await ledgerOf(db, runIds);
    expect(ledger.held).toBe(0);
    expect(ledger.settledUsd).toBeCloseTo(spent, 9);
  }, 240_000);
});
