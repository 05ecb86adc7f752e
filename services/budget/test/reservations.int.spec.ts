import { BudgetOp, type BudgetDecision } from '@tether/contracts';
import {
  aCap,
  aReservation,
  counter,
  startBudget,
  uniqueId,
  WebhookReceiver,
  type BudgetUnderTest,
} from './budget.fixtures';
import { eventually } from '@tether/testing';

type Granted = Extract<BudgetDecision, { granted: true }>;
type Refused = Extract<BudgetDecision, { granted: false }>;

describe('Budget reservations', () => {
  let sut: BudgetUnderTest;
  let hooks: WebhookReceiver;

  beforeAll(async () => {
    hooks = new WebhookReceiver();
    const url = await hooks.listen();
    sut = await startBudget('budgetres', '2026-11-21T10:00:00.000Z', {
      TETHER_BUDGET_WEBHOOK_URL: url,
      TETHER_BUDGET_WEBHOOK_SECRET: 'test-secret',
    });
  });
  afterAll(async () => {
    await sut?.stop();
    await hooks?.close();
  });

  const reserve = (over: Parameters<typeof aReservation>[0] = {}) =>
    sut.ask<BudgetDecision>(BudgetOp.Reserve, aReservation(over));
  const setCap = (...args: Parameters<typeof aCap>) => sut.ask(BudgetOp.CapsSet, aCap(...args));

  describe('without caps', () => {
    it('grants the amount asked and holds it against nothing', async () => {
      const tenantId = uniqueId('t');
      const decision = await reserve({ tenantId, amountUsd: 0.25 });
      expect(decision).toEqual({
        granted: true,
        reservationId: expect.any(String),
        amountUsd: 0.25,
        priceVersion: 'prices-2026-11',
        warnings: [],
        replayed: false,
      });
      // No cap, no counter: runs without caps touch no shared row.
      expect(await counter(sut, `tenant/${tenantId}`, '2026-11-21')).toBeUndefined();
    });

    it('grants an unpriced call at 0', async () => {
      expect(await reserve({ tenantId: uniqueId('t'), amountUsd: undefined })).toMatchObject({
        granted: true,
        amountUsd: 0,
      });
    });
  });

  describe('when many reservations race for one cap', () => {
    it('grants exactly those that fit and never holds more than the cap', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'user_daily', 1, 'u_race');
      const decisions = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          reserve({ tenantId, userId: 'u_race', runId: `run_race_${i}`, amountUsd: 0.03 }),
        ),
      );
      const granted = decisions.filter((d) => d.granted);
      expect(granted).toHaveLength(33);
      const refused = decisions.filter((d): d is Refused => !d.granted);
      expect(refused).toHaveLength(67);
      for (const r of refused)
        expect(r.refusal).toMatchObject({
          cap: 'user_daily',
          reason: 'cap_reached',
          spentUsd: 0.99,
        });
      expect(await counter(sut, `user/${tenantId}/u_race`, '2026-11-21')).toEqual({
        spent: 0,
        held: 0.99,
      });
      const [{ held }] = await sut.sql<{ held: string }>(
        `SELECT sum(amount_usd) AS held FROM budget_reservations WHERE tenant_id = $1 AND status = 'held'`,
        [tenantId],
      );
      expect(Number(held)).toBe(0.99);
    });
  });

  describe('when a reservation is asked again', () => {
    it('answers the same grant, marked as a replay, without holding twice', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'tenant_daily', 10);
      const req = aReservation({ tenantId, amountUsd: 0.5 });
      const first = await sut.ask<Granted>(BudgetOp.Reserve, req);
      const again = await sut.ask<Granted>(BudgetOp.Reserve, { ...req, amountUsd: 5 });
      expect(again).toEqual({ ...first, replayed: true });
      expect(await counter(sut, `tenant/${tenantId}`, '2026-11-21')).toEqual({
        spent: 0,
        held: 0.5,
      });
    });

    it('keeps a refusal a refusal, even once there is room', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'run', 0.1);
      const req = aReservation({ tenantId, amountUsd: 0.5 });
      const first = await sut.ask<Refused>(BudgetOp.Reserve, req);
      expect(first.granted).toBe(false);
      await setCap(tenantId, 'run', null);
      expect(await sut.ask(BudgetOp.Reserve, req)).toEqual({ ...first, replayed: true });
    });

    it('answers concurrent requests with one id once', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'tenant_daily', 10);
      const req = aReservation({ tenantId, amountUsd: 1 });
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => sut.ask<Granted>(BudgetOp.Reserve, req)),
      );
      expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
      expect(answers.every((a) => a.granted && a.amountUsd === 1)).toBe(true);
      expect(await counter(sut, `tenant/${tenantId}`, '2026-11-21')).toMatchObject({ held: 1 });
    });
  });

  describe('refusals', () => {
    it('name the first cap crossed, in order, with the spend before', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'tenant_monthly', 0.5);
      await setCap(tenantId, 'user_monthly', 0.4);
      await reserve({ tenantId, amountUsd: 0.3 });
      expect(await reserve({ tenantId, amountUsd: 0.3 })).toMatchObject({
        granted: false,
        refusal: {
          cap: 'user_monthly',
          period: '2026-11',
          limitUsd: 0.4,
          spentUsd: 0.3,
          requestedUsd: 0.3,
          reason: 'cap_reached',
        },
        replayed: false,
      });
    });

    it("apply the lowest of the agent's and the operators' run caps", async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'run', 5);
      const runId = uniqueId('run');
      expect(await reserve({ tenantId, runId, amountUsd: 0.6, runCapUsd: 1 })).toMatchObject({
        granted: true,
      });
      expect(await reserve({ tenantId, runId, amountUsd: 0.6, runCapUsd: 1 })).toMatchObject({
        granted: false,
        refusal: { cap: 'run', period: 'run', limitUsd: 1, spentUsd: 0.6 },
      });
      // Another run of the same tenant has its own run counter.
      expect(await reserve({ tenantId, amountUsd: 0.6, runCapUsd: 1 })).toMatchObject({
        granted: true,
      });
    });

    it('refuse an unpriced call under any cap and tell the webhook', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'tenant_daily', 100);
      const decision = await reserve({ tenantId, amountUsd: undefined });
      expect(decision).toMatchObject({
        granted: false,
        refusal: { cap: 'tenant_daily', reason: 'unpriced', spentUsd: 0, limitUsd: 100 },
      });
      expect((decision as Refused).refusal).not.toHaveProperty('requestedUsd');
      const hook = await eventually(
        () => hooks.of('budget.exceeded').find((m) => m.tenantId === tenantId),
        'the budget.exceeded webhook',
      );
      expect(hook.data).toMatchObject({ cap: 'tenant_daily', reason: 'unpriced' });
    });

    it('hold the global caps over every tenant', async () => {
      // A global cap counts every tenant's spend of this test file: a period of its own.
      sut.clock.set('2027-03-03T10:00:00.000Z');
      try {
        await setCap('_all', 'global_daily', 1);
        expect(await reserve({ tenantId: uniqueId('t'), amountUsd: 0.7 })).toMatchObject({
          granted: true,
        });
        expect(await reserve({ tenantId: uniqueId('t'), amountUsd: 0.7 })).toMatchObject({
          granted: false,
          refusal: { cap: 'global_daily', period: '2027-03-03', spentUsd: 0.7 },
        });
      } finally {
        await setCap('_all', 'global_daily', null);
        sut.clock.set('2026-11-21T10:00:00.000Z');
      }
    });
  });

  describe('warnings', () => {
    it('are sent once per cap and period, however many requests race past the share', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'tenant_daily', 10);
      await reserve({ tenantId, amountUsd: 7.9 });
      const decisions = await Promise.all(
        Array.from({ length: 20 }, () => reserve({ tenantId, amountUsd: 0.05 })),
      );
      const warned = decisions.flatMap((d) => (d.granted ? d.warnings : []));
      expect(warned).toEqual([
        {
          cap: 'tenant_daily',
          period: '2026-11-21',
          spentUsd: expect.any(Number),
          limitUsd: 10,
          share: expect.any(Number),
        },
      ]);
      expect(warned[0].share).toBeGreaterThanOrEqual(0.8);
      const hook = await eventually(
        () => hooks.of('budget.warning').find((m) => m.tenantId === tenantId),
        'the budget.warning webhook',
      );
      expect(hook.data).toMatchObject({ cap: 'tenant_daily', period: '2026-11-21', limitUsd: 10 });
      expect(
        await sut.sql(`SELECT 1 FROM budget_warnings WHERE scope = $1`, [`tenant/${tenantId}`]),
      ).toHaveLength(1);
    });

    it('are sent again in the next period', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'tenant_daily', 1);
      sut.clock.set('2026-11-21T23:00:00.000Z');
      const today = await reserve({ tenantId, amountUsd: 0.9 });
      sut.clock.set('2026-11-22T00:00:00.000Z');
      const tomorrow = await reserve({ tenantId, amountUsd: 0.9 });
      sut.clock.set('2026-11-21T10:00:00.000Z');
      expect([today, tomorrow].map((d) => d.granted && d.warnings.map((w) => w.period))).toEqual([
        ['2026-11-21'],
        ['2026-11-22'],
      ]);
    });
  });

  describe('periods', () => {
    afterEach(() => sut.clock.set('2026-11-21T10:00:00.000Z'));

    it.each([
      [
        'at midnight UTC',
        'user_daily',
        '2026-11-21T23:59:59.999Z',
        '2026-11-22T00:00:00.000Z',
        '2026-11-21',
        '2026-11-22',
      ],
      [
        'at the month boundary',
        'user_monthly',
        '2026-11-30T22:00:00.000Z',
        '2026-12-01T00:00:00.000Z',
        '2026-11',
        '2026-12',
      ],
    ] as const)('roll over %s', async (_when, cap, before, after, period, next) => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, cap, 1);
      sut.clock.set(before);
      expect(await reserve({ tenantId, amountUsd: 1 })).toMatchObject({ granted: true });
      expect(await reserve({ tenantId, amountUsd: 0.01 })).toMatchObject({
        granted: false,
        refusal: { cap, period },
      });
      sut.clock.set(after);
      expect(await reserve({ tenantId, amountUsd: 1 })).toMatchObject({ granted: true });
      // The first hold stays in its own period until it is settled or released.
      expect(await counter(sut, `user/${tenantId}/u_88`, period)).toEqual({ spent: 0, held: 1 });
      expect(await counter(sut, `user/${tenantId}/u_88`, next)).toEqual({ spent: 0, held: 1 });
    });
  });
});
