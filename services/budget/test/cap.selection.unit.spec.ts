import type { CapName } from '@tether/contracts';
import {
  counterKey,
  counterOf,
  parseCounterKey,
  type ReservationOwner,
} from '../src/domain/budget.counters';
import { applicableCaps, type CapRequest, type CapRow } from '../src/domain/cap.selection';
import { everyCounterOf } from '../src/domain/counter.deltas';

const owner: ReservationOwner = {
  tenantId: 'acme',
  userId: 'u_88',
  runId: 'run_1',
  day: '2026-11-21',
  month: '2026-11',
};
const request = (over: Partial<CapRequest> = {}): CapRequest => ({ ...owner, ...over });
const row = (tenantId: string, cap: CapName, limitUsd: number, subject = '*'): CapRow => ({
  tenantId,
  cap,
  subject,
  limitUsd,
});
const summary = (rows: CapRow[], over: Partial<CapRequest> = {}) =>
  applicableCaps(request(over), rows).map((c) => [c.cap, c.limitUsd, c.scope, c.period]);

describe('applicableCaps', () => {
  it('applies nothing without caps or an agent limit', () => {
    expect(applicableCaps(request(), [])).toEqual([]);
  });

  it('lists every kind of cap in CAP_NAMES order with its counter', () => {
    const rows = [
      row('_all', 'global_monthly', 1000),
      row('acme', 'tenant_monthly', 500),
      row('acme', 'user_daily', 5),
      row('_all', 'global_daily', 100),
      row('acme', 'tenant_daily', 50),
      row('acme', 'user_monthly', 20),
      row('acme', 'run', 2),
    ];
    expect(summary(rows)).toEqual([
      ['run', 2, 'run/acme/run_1', 'run'],
      ['user_daily', 5, 'user/acme/u_88', '2026-11-21'],
      ['user_monthly', 20, 'user/acme/u_88', '2026-11'],
      ['tenant_daily', 50, 'tenant/acme', '2026-11-21'],
      ['tenant_monthly', 500, 'tenant/acme', '2026-11'],
      ['global_daily', 100, 'global', '2026-11-21'],
      ['global_monthly', 1000, 'global', '2026-11'],
    ]);
  });

  describe('the run cap', () => {
    it('comes from the agent alone when no operator set one', () => {
      expect(summary([], { runCapUsd: 3 })).toEqual([['run', 3, 'run/acme/run_1', 'run']]);
    });

    it.each([
      [3, 2, 4, 2],
      [1, 2, 4, 1],
      [5, 6, 4, 4],
      [undefined, 6, 4, 4],
      [undefined, 2, undefined, 2],
      [7, undefined, 4, 4],
      [0, 2, 4, 0],
    ])(
      'is the lowest of the agent (%p), the tenant (%p) and the global (%p): %p',
      (agent, tenant, global, expected) => {
        const rows = [
          ...(tenant === undefined ? [] : [row('acme', 'run', tenant)]),
          ...(global === undefined ? [] : [row('_all', 'run', global)]),
        ];
        expect(summary(rows, { runCapUsd: agent })).toEqual([
          ['run', expected, 'run/acme/run_1', 'run'],
        ]);
      },
    );

    it("ignores another tenant's run cap", () => {
      expect(summary([row('globex', 'run', 1)])).toEqual([]);
    });
  });

  describe('user caps', () => {
    it("apply the tenant's default for every user", () => {
      expect(summary([row('acme', 'user_daily', 5)])).toEqual([
        ['user_daily', 5, 'user/acme/u_88', '2026-11-21'],
      ]);
    });

    it("let a user's own cap override the default, looser or tighter", () => {
      const rows = [row('acme', 'user_daily', 5), row('acme', 'user_daily', 50, 'u_88')];
      expect(summary(rows)).toEqual([['user_daily', 50, 'user/acme/u_88', '2026-11-21']]);
      const tighter = [row('acme', 'user_daily', 5), row('acme', 'user_daily', 1, 'u_88')];
      expect(summary(tighter)).toEqual([['user_daily', 1, 'user/acme/u_88', '2026-11-21']]);
    });

    it("ignore another user's own cap", () => {
      expect(summary([row('acme', 'user_monthly', 1, 'u_12')])).toEqual([]);
    });

    it('ignore a cap of the same user id in another tenant', () => {
      expect(summary([row('globex', 'user_daily', 1, 'u_88')])).toEqual([]);
    });

    it('override the daily and the monthly cap independently', () => {
      const rows = [
        row('acme', 'user_daily', 5, 'u_88'),
        row('acme', 'user_monthly', 30),
        row('acme', 'user_monthly', 40, 'u_12'),
      ];
      expect(summary(rows)).toEqual([
        ['user_daily', 5, 'user/acme/u_88', '2026-11-21'],
        ['user_monthly', 30, 'user/acme/u_88', '2026-11'],
      ]);
    });
  });

  describe('tenant and global caps', () => {
    it("take only the request's tenant rows", () => {
      const rows = [row('globex', 'tenant_daily', 1), row('acme', 'tenant_monthly', 9)];
      expect(summary(rows)).toEqual([['tenant_monthly', 9, 'tenant/acme', '2026-11']]);
    });

    it('take global caps from _all only', () => {
      const rows = [row('acme', 'global_daily', 1), row('_all', 'global_monthly', 9)];
      expect(summary(rows)).toEqual([['global_monthly', 9, 'global', '2026-11']]);
    });

    it('ignore a tenant cap stored under a user subject', () => {
      expect(summary([row('acme', 'tenant_daily', 1, 'u_88')])).toEqual([]);
    });
  });
});

describe('counters', () => {
  it('sum settled spend of the scope, days as a half-open range', () => {
    expect(counterOf('run', owner).filter).toEqual({ tenantId: 'acme', runId: 'run_1' });
    expect(counterOf('user_daily', owner).filter).toEqual({
      tenantId: 'acme',
      userId: 'u_88',
      fromDay: '2026-11-21',
      beforeDay: '2026-11-22',
    });
    expect(counterOf('tenant_monthly', owner).filter).toEqual({
      tenantId: 'acme',
      fromDay: '2026-11-01',
      beforeDay: '2026-12-01',
    });
    expect(counterOf('global_daily', owner).filter).toEqual({
      fromDay: '2026-11-21',
      beforeDay: '2026-11-22',
    });
  });

  it('are seven distinct ones for every reservation', () => {
    const keys = everyCounterOf(owner).map(counterKey);
    expect(new Set(keys).size).toBe(7);
    expect(keys).toContain('user/acme/u_88|2026-11');
  });

  it('keep a user id holding | apart from its period', () => {
    const key = counterKey(counterOf('user_daily', { ...owner, userId: 'a|b' }));
    expect(key).toBe('user/acme/a|b|2026-11-21');
    expect(parseCounterKey(key)).toEqual({ scope: 'user/acme/a|b', period: '2026-11-21' });
  });
});
