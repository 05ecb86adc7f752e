import { BudgetOp } from '@tether/contracts';
import { aModelResponded, aRunStarted, aToolCompleted, eventually } from '@tether/testing';
import { LedgerProjectionHandler } from '../src/application/ledger-projection.handler';
import {
  aCap,
  aReservation,
  counter,
  ledgerRows,
  startBudget,
  statusOf,
  uniqueId,
  type BudgetUnderTest,
} from './budget.fixtures';

const DAY = '2026-11-21';

describe('Budget ledger', () => {
  let sut: BudgetUnderTest;

  beforeAll(async () => {
    sut = await startBudget('budgetledger', `${DAY}T10:00:00.000Z`, {
      TETHER_BUDGET_SWEEP_MS: '100',
    });
  });
  afterAll(async () => {
    await sut?.stop();
  });

  /** A tenant with a daily tenant cap (so a counter to watch) and one started run. */
  async function aRun(capUsd = 100) {
    const tenantId = uniqueId('t');
    const runId = uniqueId('run');
    await sut.ask(BudgetOp.CapsSet, aCap(tenantId, 'tenant_daily', capUsd));
    await sut.append('run.started', aRunStarted({ userId: 'u_7', agent: 'support' }), {
      tenantId,
      runId,
    });
    const reserve = (
      amountUsd: number,
      reservationId = uniqueId('res'),
      kind: 'model' | 'tool' = 'model',
    ) =>
      sut.ask(
        BudgetOp.Reserve,
        aReservation({ tenantId, runId, userId: 'u_7', amountUsd, reservationId, kind }),
      );
    const tenantCounter = () => counter(sut, `tenant/${tenantId}`, DAY);
    return { tenantId, runId, reserve, tenantCounter, run: { tenantId, runId } };
  }

  /** A model call reporting back with its cost, settling `reservationId` if given. */
  const responded = (
    run: { tenantId: string; runId: string },
    costUsd: number,
    reservationId?: string,
    step = 1,
  ) => sut.append('model.responded', aModelResponded(step, { costUsd, reservationId }), run);

  const completed = (run: { tenantId: string; runId: string }) =>
    sut.append(
      'run.completed',
      { outcome: 'success', reason: 'answered', message: 'done', output: 'ok' },
      run,
    );

  const settledTo = (reservationId: string, status: string) =>
    eventually(async () => {
      const s = await statusOf(sut, reservationId);
      return s?.status === status ? s : undefined;
    }, `${reservationId} ${status}`);

  describe('when a call reports back', () => {
    it('settles a model call at its cost and ends the hold', async () => {
      const r = await aRun();
      await r.reserve(0.5, 'res_model_1');
      expect(await r.tenantCounter()).toEqual({ spent: 0, held: 0.5 });
      await responded(r.run, 0.02, 'res_model_1');
      expect(await settledTo('res_model_1', 'settled')).toEqual({
        status: 'settled',
        settledUsd: 0.02,
      });
      expect(await r.tenantCounter()).toEqual({ spent: 0.02, held: 0 });
    });

    it('releases a failed model call', async () => {
      const r = await aRun();
      await r.reserve(0.5, 'res_model_2');
      await sut.append(
        'model.failed',
        {
          step: 1,
          attempt: 1,
          model: 'gpt-4o',
          error: 'timeout',
          retryable: true,
          reservationId: 'res_model_2',
        },
        r.run,
      );
      expect(await settledTo('res_model_2', 'released')).toEqual({
        status: 'released',
        settledUsd: null,
      });
      expect(await r.tenantCounter()).toEqual({ spent: 0, held: 0 });
    });

    it('settles a tool call at its price, or at the held amount when it has none', async () => {
      const r = await aRun();
      await r.reserve(0.3, 'res_tool_priced', 'tool');
      await r.reserve(0.2, 'res_tool_flat', 'tool');
      await sut.append(
        'tool.completed',
        aToolCompleted('c1', { reservationId: 'res_tool_priced', costUsd: 0.25 }),
        r.run,
      );
      await sut.append(
        'tool.completed',
        aToolCompleted('c2', { reservationId: 'res_tool_flat' }),
        r.run,
      );
      expect(await settledTo('res_tool_priced', 'settled')).toMatchObject({ settledUsd: 0.25 });
      expect(await settledTo('res_tool_flat', 'settled')).toMatchObject({ settledUsd: 0.2 });
      expect(await r.tenantCounter()).toEqual({ spent: 0.45, held: 0 });
    });

    it('releases a tool call that failed or was denied, by its call id', async () => {
      const r = await aRun();
      await r.reserve(0.3, `res_${r.runId}_c_fail`, 'tool');
      await r.reserve(0.4, `res_${r.runId}_c_deny`, 'tool');
      await sut.append(
        'tool.failed',
        {
          callId: 'c_fail',
          tool: 'lookup_order',
          reason: 'upstream_error',
          error: '502',
          retryable: false,
        },
        r.run,
      );
      await sut.append(
        'tool.denied',
        { callId: 'c_deny', tool: 'issue_refund', reason: 'kill_switch', message: 'switched off' },
        r.run,
      );
      await settledTo(`res_${r.runId}_c_fail`, 'released');
      await settledTo(`res_${r.runId}_c_deny`, 'released');
      expect(await r.tenantCounter()).toEqual({ spent: 0, held: 0 });
    });
  });

  describe('when the run reports an answer with its next reservation', () => {
    it('settles it at its cost first, so the next hold is weighed against real spend', async () => {
      const r = await aRun();
      const first = `res_${r.runId}_m1_1`;
      await r.reserve(0.5, first);
      const settles = [{ reservationId: first, costUsd: 0.02, at: `${DAY}T10:00:01.000Z` }];
      await sut.ask(
        BudgetOp.Reserve,
        aReservation({
          ...r.run,
          userId: 'u_7',
          amountUsd: 0.5,
          reservationId: `res_${r.runId}_m2_1`,
          settles,
        }),
      );
      expect(await statusOf(sut, first)).toEqual({ status: 'settled', settledUsd: 0.02 });
      expect(await r.tenantCounter()).toEqual({ spent: 0.02, held: 0.5 });
      // The log's own report of that answer comes later and counts nothing twice.
      await responded(r.run, 0.02, first);
      await completed(r.run);
      await settledTo(`res_${r.runId}_m2_1`, 'released');
      expect(await r.tenantCounter()).toEqual({ spent: 0.02, held: 0 });
    });

    it('ignores a reservation of another run named in the report', async () => {
      const a = await aRun();
      const b = await aRun();
      const theirs = `res_${b.runId}_m1_1`;
      await b.reserve(0.5, theirs);
      await sut.ask(
        BudgetOp.Reserve,
        aReservation({
          ...a.run,
          userId: 'u_7',
          amountUsd: 0.1,
          reservationId: `res_${a.runId}_m1_1`,
          settles: [{ reservationId: theirs, costUsd: 0, at: `${DAY}T10:00:01.000Z` }],
        }),
      );
      expect(await statusOf(sut, theirs)).toEqual({ status: 'held', settledUsd: null });
      expect(await b.tenantCounter()).toEqual({ spent: 0, held: 0.5 });
    });
  });

  describe('when a run ends', () => {
    it('releases everything the run still holds, and leaves what it paid', async () => {
      const r = await aRun();
      await r.reserve(0.1, 'res_end_paid');
      await r.reserve(0.2, 'res_end_open_1');
      await r.reserve(0.3, 'res_end_open_2');
      await responded(r.run, 0.05, 'res_end_paid');
      await completed(r.run);
      await settledTo('res_end_open_1', 'released');
      await settledTo('res_end_open_2', 'released');
      expect(await statusOf(sut, 'res_end_paid')).toEqual({ status: 'settled', settledUsd: 0.05 });
      expect(await r.tenantCounter()).toEqual({ spent: 0.05, held: 0 });
    });
  });

  describe('spend nobody reserved for', () => {
    it("is recorded under the event's id, for the run's user and agent", async () => {
      const r = await aRun();
      // A reservation creates the tenant's counter, so the record's spend can be seen reaching it.
      await r.reserve(0.01);
      const event = await responded(r.run, 0.07);
      const rows = await eventually(async () => {
        const found = await sut.sql(
          `SELECT reservation_id, user_id, agent, kind, item, status, settled_usd FROM budget_reservations
           WHERE reservation_id = $1`,
          [event.id],
        );
        return found.length ? found : undefined;
      }, 'the ledger record');
      expect(rows).toEqual([
        {
          reservation_id: event.id,
          user_id: 'u_7',
          agent: 'support',
          kind: 'model',
          item: 'scripted:scripted-v1',
          status: 'settled',
          settled_usd: '0.070000000',
        },
      ]);
      expect(await r.tenantCounter()).toEqual({ spent: 0.07, held: 0.01 });
    });
  });

  describe('the ledger', () => {
    it('equals the sum of the costs in the log, whatever was reserved', async () => {
      const r = await aRun();
      await r.reserve(1, 'res_sum_1');
      await r.reserve(1, 'res_sum_2');
      await responded(r.run, 0.1, 'res_sum_1');
      await responded(r.run, 0.2, undefined, 2);
      await sut.append('tool.completed', aToolCompleted('c1', { costUsd: 0.3 }), r.run);
      await responded(r.run, 0.4, 'res_sum_2', 3);
      await completed(r.run);
      await ledgerRows(sut, 4, `run_id = $1 AND status = 'settled'`, [r.runId]);
      const [{ total }] = await sut.sql<{ total: string }>(
        `SELECT sum(settled_usd) AS total FROM budget_reservations WHERE run_id = $1`,
        [r.runId],
      );
      expect(Number(total)).toBe(1);
      expect(await r.tenantCounter()).toEqual({ spent: 1, held: 0 });
    });

    it('changes nothing when the same events are handled again', async () => {
      const r = await aRun();
      await r.reserve(1, 'res_replay');
      const events = [
        await responded(r.run, 0.1, 'res_replay'),
        await sut.append('tool.completed', aToolCompleted('c1', { costUsd: 0.3 }), r.run),
      ];
      await eventually(
        async () => ((await r.tenantCounter())?.spent === 0.4 ? true : undefined),
        'the spend',
      );
      const ledger = sut.sut.app.get(LedgerProjectionHandler);
      await ledger.handle(events);
      await ledger.handle([...events, ...events]);
      expect(await r.tenantCounter()).toEqual({ spent: 0.4, held: 0 });
    });

    it('counts spend settled before a cap existed once the cap applies', async () => {
      const tenantId = uniqueId('t');
      const runId = uniqueId('run');
      const run = { tenantId, runId };
      await sut.append('run.started', aRunStarted({ userId: 'u_late' }), run);
      await sut.ask(
        BudgetOp.Reserve,
        aReservation({ ...run, userId: 'u_late', amountUsd: 0.6, reservationId: 'res_before_cap' }),
      );
      await responded(run, 0.6, 'res_before_cap');
      await settledTo('res_before_cap', 'settled');
      await sut.ask(BudgetOp.CapsSet, aCap(tenantId, 'user_daily', 1));
      expect(
        await sut.ask(BudgetOp.Reserve, aReservation({ ...run, userId: 'u_late', amountUsd: 0.5 })),
      ).toMatchObject({ granted: false, refusal: { cap: 'user_daily', spentUsd: 0.6 } });
      expect(await counter(sut, `user/${tenantId}/u_late`, DAY)).toEqual({ spent: 0.6, held: 0 });
    });
  });

  describe('a counter created while settlements land', () => {
    it('misses none of them and counts none twice', async () => {
      const tenantId = uniqueId('t');
      const runId = uniqueId('run');
      const run = { tenantId, runId };
      await sut.append('run.started', aRunStarted(), run);
      const ids = Array.from({ length: 40 }, (_, i) => `res_race_${tenantId}_${i}`);
      for (const reservationId of ids)
        await sut.ask(BudgetOp.Reserve, aReservation({ ...run, reservationId, amountUsd: 0.02 }));
      const settling = Promise.all(
        ids.map((reservationId, i) => responded(run, 0.01, reservationId, i + 1)),
      );
      await sut.ask(BudgetOp.CapsSet, aCap(tenantId, 'tenant_daily', 100));
      const reserving = Promise.all(
        Array.from({ length: 20 }, () =>
          sut.ask(BudgetOp.Reserve, aReservation({ ...run, amountUsd: 0.001 })),
        ),
      );
      await Promise.all([settling, reserving]);
      await ledgerRows(sut, ids.length, `tenant_id = $1 AND status = 'settled'`, [tenantId]);
      expect(await counter(sut, `tenant/${tenantId}`, DAY)).toEqual({ spent: 0.4, held: 0.02 });
    });
  });

  describe('holds nobody reports back on', () => {
    afterEach(() => sut.clock.set(`${DAY}T10:00:00.000Z`));

    it('are released once past their expiry, and still settled if the call reports later', async () => {
      const r = await aRun();
      await r.reserve(0.5, 'res_expiring');
      await r.reserve(0.25, 'res_fresh');
      sut.clock.advance(10 * 60_000);
      await r.reserve(0.125, 'res_later');
      sut.clock.advance(5 * 60_000 + 1);
      await settledTo('res_expiring', 'released');
      await settledTo('res_fresh', 'released');
      expect(await statusOf(sut, 'res_later')).toMatchObject({ status: 'held' });
      expect(await r.tenantCounter()).toEqual({ spent: 0, held: 0.125 });
      await responded(r.run, 0.4, 'res_expiring');
      await settledTo('res_expiring', 'settled');
      expect(await r.tenantCounter()).toEqual({ spent: 0.4, held: 0.125 });
    });
  });
});
