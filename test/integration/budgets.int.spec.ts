import { Client } from 'pg';
import {
  BUDGET_SERVICE,
  BudgetOp,
  type BudgetCapChanged,
  type SetBudgetCap,
  type TetherEvent,
} from '@tether/contracts';
import { newId, requestService } from '@tether/event-store';
import { mergePriceTable } from '@tether/models';
import { eventually } from '../../libs/testing/src/infra.helper';
import { costOf, ledgerOf, reservationIdsOf } from '../budget-ledger';
import { startStack, type TestStack } from '../stack';

/**
 * Budgets end to end: the orchestrator reserves before every priced call, the budget service
 * holds the money in its Postgres ledger and settles it from the run log.
 */
const TENANT = 'acme';
const NOOP_PRICE = 0.03;

const prices = mergePriceTable({ version: 'test-prices-1', tools: { noop: NOOP_PRICE } });

function typesOf(events: TetherEvent[]): string[] {
  return events.map((e) => e.type);
}

describe('budgets (orchestrator, tool-executor and budget service on NATS and Postgres)', () => {
  let stack: TestStack;
  let db: Client;

  beforeAll(async () => {
    stack = await startStack({ label: 'budgets', prices });
    db = new Client({ connectionString: stack.db.url });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await stack.stop();
  });

  const setCap = (cap: Omit<SetBudgetCap, 'by' | 'reason'>) =>
    requestService<BudgetCapChanged>(
      stack.nc,
      stack.prefix,
      BUDGET_SERVICE,
      BudgetOp.CapsSet,
      { ...cap, by: 'ops@acme', reason: 'test' },
      5_000,
    );

  it('stops a run at the call its own dollar cap cannot pay for, warning once at 80%', async () => {
    const runId = newId('run');
    await stack.startRun(TENANT, { runId, agent: 'metered-agent', userId: 'u_metered' });
    const events = await stack.waitForEnd(TENANT, runId);

    // $0.03 a call under a $0.10 cap: three calls fit, the fourth would make $0.12.
    expect(events.filter((e) => e.type === 'tool.completed')).toHaveLength(3);
    const reserved = events.filter((e) => e.type === 'budget.reserved');
    expect(reserved.map((e) => e.data)).toEqual(
      [0, 1, 2].map((i) => ({
        reservationId: `res_${runId}_call_${i + 1}_0`,
        amountUsd: NOOP_PRICE,
        kind: 'tool',
        item: 'noop',
        priceVersion: 'test-prices-1',
        callId: `call_${i + 1}_0`,
      })),
    );
    const warnings = events.filter((e) => e.type === 'budget.warning');
    expect(warnings.map((e) => e.data)).toEqual([
      expect.objectContaining({
        cap: 'run',
        period: 'run',
        limitUsd: 0.1,
        share: expect.closeTo(0.9, 6),
      }),
    ]);
    const exceeded = events.find((e) => e.type === 'budget.exceeded');
    expect(exceeded?.data).toMatchObject({
      cap: 'run',
      limitUsd: 0.1,
      requestedUsd: NOOP_PRICE,
      reason: 'cap_reached',
    });
    expect(exceeded?.data.spentUsd).toBeCloseTo(0.09, 9);
    const end = events.at(-1)!;
    expect(end).toMatchObject({ type: 'run.aborted', data: { reason: 'budget', limit: 'run' } });
    // The fourth call was never made, nor even requested of the executor.
    expect(typesOf(events).filter((t) => t === 'tool.started')).toHaveLength(3);
    expect(costOf(events)).toBeCloseTo(0.09, 9);

    const ledger = await eventually(async () => {
      const l = await ledgerOf(db, [runId]);
      return l.held === 0 && Math.abs(l.settledUsd - 0.09) < 1e-9 ? l : undefined;
    }, 'the ledger to settle the three calls');
    expect(ledger.settledUsd).toBeCloseTo(costOf(events), 9);
  });

  it('never lets 50 parallel runs of one user spend past the user cap', async () => {
    // A first run, uncapped, shows what one run holds and costs; the cap then fits one hold and
    // about ten runs' spend, far less than the fifty runs would spend.
    const probeId = newId('run');
    await stack.startRun(TENANT, { runId: probeId, agent: 'priced-agent', userId: 'u_probe' });
    const probe = await stack.waitForEnd(TENANT, probeId);
    expect(probe.at(-1)!.type).toBe('run.completed');
    const hold = Math.max(
      ...probe.filter((e) => e.type === 'budget.reserved').map((e) => e.data.amountUsd),
    );
    const runCost = costOf(probe);
    expect(runCost).toBeGreaterThan(0);
    expect(runCost).toBeLessThan(hold);
    const user = 'u_fifty';
    const capUsd = Number((hold + 10 * runCost).toFixed(8));
    await setCap({ tenantId: TENANT, cap: 'user_daily', subject: user, limitUsd: capUsd });
    const runIds = Array.from({ length: 50 }, () => newId('run'));
    await Promise.all(
      runIds.map((runId) => stack.startRun(TENANT, { runId, agent: 'priced-agent', userId: user })),
    );
    const logs = await Promise.all(runIds.map((id) => stack.waitForEnd(TENANT, id, 60_000)));

    const ends = logs.map((events) => events.at(-1)!);
    const completed = ends.filter((e) => e.type === 'run.completed');
    const stopped = ends.filter((e) => e.type === 'run.aborted');
    expect(completed.length + stopped.length).toBe(50);
    expect(completed.length).toBeGreaterThan(0);
    expect(stopped.length).toBeGreaterThan(0);
    for (const [i, end] of ends.entries()) {
      if (end.type !== 'run.aborted') continue;
      expect(end.data).toMatchObject({ reason: 'budget', limit: 'user_daily' });
      expect(logs[i]!.find((e) => e.type === 'budget.exceeded')?.data).toMatchObject({
        cap: 'user_daily',
        limitUsd: capUsd,
      });
    }
    // Nothing the refused runs asked for was called: every model answer had a hold first.
    for (const events of logs) {
      const holds = events.filter((e) => e.type === 'budget.reserved').length;
      expect(events.filter((e) => e.type === 'model.responded').length).toBeLessThanOrEqual(holds);
    }

    const spent = logs.reduce((sum, events) => sum + costOf(events), 0);
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(capUsd + 1e-9);
    const ledger = await eventually(async () => {
      const l = await ledgerOf(db, runIds);
      return l.held === 0 ? l : undefined;
    }, 'every hold of the 50 runs to be settled or released');
    expect(ledger.settledUsd).toBeCloseTo(spent, 9);
    expect(ledger.settledUsd).toBeLessThanOrEqual(capUsd + 1e-9);
  }, 120_000);

  it('loses and doubles nothing when the budget service is killed and restarted under load', async () => {
    const runIds = Array.from({ length: 30 }, () => newId('run'));
    const starts = runIds.map((runId, i) =>
      stack.startRun(TENANT, {
        runId,
        agent: i % 2 ? 'priced-agent' : 'metered-agent',
        userId: `u_load_${i % 5}`,
      }),
    );
    await Promise.all(starts.slice(0, 15));
    await stack.down('budget');
    await Promise.all(starts.slice(15));
    await new Promise((r) => setTimeout(r, 500));
    await stack.up('budget');

    const logs = await Promise.all(runIds.map((id) => stack.waitForEnd(TENANT, id, 60_000)));
    for (const events of logs) {
      expect(['run.completed', 'run.aborted']).toContain(events.at(-1)!.type);
      const ids = reservationIdsOf(events);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const spent = logs.reduce((sum, events) => sum + costOf(events), 0);
    const ledger = await eventually(
      async () => {
        const l = await ledgerOf(db, runIds);
        return l.held === 0 && Math.abs(l.settledUsd - spent) < 1e-9 ? l : undefined;
      },
      'the ledger to equal the sum of the events',
      30_000,
    );
    expect(ledger.settledUsd).toBeCloseTo(spent, 9);
    expect(spent).toBeGreaterThan(0);
  }, 120_000);
});
