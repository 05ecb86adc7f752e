import { BudgetOp, BUDGET_SERVICE, subjects } from '@tether/contracts';
import type { RemoteError } from '@tether/event-store';
import { expectHealthy } from '@tether/testing';
import { loadConfig } from '../src/config';
import { aCap, aReservation, startBudget, type BudgetUnderTest } from './budget.fixtures';

describe('budget service', () => {
  let sut: BudgetUnderTest;

  beforeAll(async () => {
    sut = await startBudget('budget', '2026-11-21T10:00:00.000Z');
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('listens on 3104 unless told otherwise', () => {
    expect(loadConfig({}).http.port).toBe(3104);
  });

  it('reports NATS and Postgres up on /health', () => expectHealthy(sut));

  it('reads its settings, with defaults', () => {
    expect(loadConfig({})).toMatchObject({
      warnShare: 0.8,
      holdMs: 900_000,
      sweepMs: 10_000,
      spike: { checkMs: 60_000, multiple: 3, minUsd: 1 },
      webhook: undefined,
    });
    expect(
      loadConfig({
        TETHER_BUDGET_WARN_SHARE: '0.5',
        TETHER_BUDGET_HOLD_MS: '60000',
        TETHER_BUDGET_SPIKE_MULTIPLE: '4.5',
        TETHER_BUDGET_WEBHOOK_URL: 'https://hooks.example.com/budget',
        TETHER_BUDGET_WEBHOOK_SECRET: 's3cret',
      }),
    ).toMatchObject({
      warnShare: 0.5,
      holdMs: 60_000,
      spike: { multiple: 4.5 },
      webhook: { target: 'https://hooks.example.com' },
    });
    expect(() => loadConfig({ TETHER_BUDGET_WARN_SHARE: '1.5' })).toThrow(/WARN_SHARE/);
    expect(() => loadConfig({ TETHER_BUDGET_WEBHOOK_URL: 'https://x.example.com' })).toThrow(
      /TETHER_BUDGET_WEBHOOK_SECRET/,
    );
  });

  it('migrates the first tables away and creates its own', async () => {
    const tables = await sut.sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
       AND table_name LIKE 'budget_%' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'budget_caps',
      'budget_counters',
      'budget_reservations',
      'budget_runs',
      'budget_spikes',
      'budget_warnings',
    ]);
    expect(await sut.sql(`SELECT name FROM migrations_budget ORDER BY id`)).toEqual([
      { name: 'BudgetTables1763700000020' },
      { name: 'BudgetReservations1764300000020' },
    ]);
    const caps = await sut.sql<{ column_name: string; numeric_scale: number | null }>(
      `SELECT column_name, numeric_scale FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = 'budget_caps' ORDER BY ordinal_position`,
    );
    expect(caps.map((c) => c.column_name)).toEqual([
      'tenant_id',
      'cap',
      'subject',
      'limit_usd',
      'updated_at',
      'updated_by',
      'reason',
    ]);
    expect(caps.find((c) => c.column_name === 'limit_usd')?.numeric_scale).toBe(8);
  });

  describe('when a request is bad', () => {
    const refusalOf = (op: BudgetOp, body: unknown) =>
      sut.ask(op, body).then(
        () => {
          throw new Error('expected a refusal');
        },
        (err: RemoteError) => ({ name: err.remoteName, code: err.code, message: err.message }),
      );

    it.each<[string, BudgetOp, unknown, RegExp]>([
      [
        'a reservation without an item',
        BudgetOp.Reserve,
        { ...aReservation(), item: undefined },
        /item/,
      ],
      ['a negative amount', BudgetOp.Reserve, aReservation({ amountUsd: -1 }), /amountUsd/],
      [
        'a reservation for _all',
        BudgetOp.Reserve,
        aReservation({ tenantId: '_all' }),
        /not a tenant/,
      ],
      ['a tenant id with a dot', BudgetOp.Reserve, aReservation({ tenantId: 'a.b' }), /tenantId/],
      ['a global cap for a tenant', BudgetOp.CapsSet, aCap('acme', 'global_daily', 5), /_all only/],
      ['a user cap for _all', BudgetOp.CapsSet, aCap('_all', 'user_daily', 5), /_all takes only/],
      [
        'a tenant cap for one user',
        BudgetOp.CapsSet,
        aCap('acme', 'tenant_daily', 5, 'u_1'),
        /subject/,
      ],
      [
        'a cap without a reason',
        BudgetOp.CapsSet,
        { ...aCap('acme', 'run', 5), reason: ' ' },
        /reason/,
      ],
      ['an unknown cap', BudgetOp.CapsSet, aCap('acme', 'weekly' as never, 5), /cap/],
      ['a caps list without tenant', BudgetOp.CapsList, {}, /tenantId/],
      ['a spend report by week', BudgetOp.Spend, { tenantId: 'acme', by: 'week' }, /by/],
      [
        'a spend report ending before it starts',
        BudgetOp.Spend,
        { tenantId: 'acme', by: 'day', from: '2026-11-02', to: '2026-11-01' },
        /comes after/,
      ],
      [
        'a spend report on a day that does not exist',
        BudgetOp.Spend,
        { tenantId: 'acme', by: 'day', from: '2026-02-30' },
        /from/,
      ],
      ['a body that is not an object', BudgetOp.Reserve, [1, 2], /JSON object/],
    ])('refuses %s with a validation error', async (_what, op, body, message) => {
      expect(await refusalOf(op, body)).toEqual({
        name: 'ValidationError',
        code: 'validation_failed',
        message: expect.stringMatching(message),
      });
    });

    it('refuses a body that is not JSON, and keeps serving', async () => {
      const reply = await sut.sut.nc.request(
        subjects.service(sut.prefix, BUDGET_SERVICE, BudgetOp.Reserve),
        new TextEncoder().encode('{not json'),
        { timeout: 5_000 },
      );
      expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({
        ok: false,
        error: { name: 'ValidationError', code: 'validation_failed' },
      });
      expect(await sut.ask(BudgetOp.Reserve, aReservation())).toMatchObject({ granted: true });
    });
  });
});
