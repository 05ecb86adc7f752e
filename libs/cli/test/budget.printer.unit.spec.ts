import type { BudgetCap, BudgetCapChanged, SpendReport } from '@tether/contracts';
import { capChangeLine, capLines, spendLines, usd } from '../src/commands/budget.printer';

const report: SpendReport = {
  tenantId: 'acme',
  by: 'user',
  from: '2026-11-01',
  to: '2026-11-21',
  totalUsd: 4,
  heldUsd: 0.0125,
  rows: [
    { key: 'u_1', spentUsd: 3, calls: 12 },
    { key: 'support-bot', spentUsd: 1, calls: 130 },
  ],
};

describe('budget printer', () => {
  describe('usd', () => {
    it.each([
      [0, '$0.00'],
      [5, '$5.00'],
      [12.5, '$12.50'],
      [0.0125, '$0.0125'],
      [0.000001, '$0.000001'],
      [1234.5678, '$1234.5678'],
    ])('prints %d as %s', (amount, text) => {
      expect(usd(amount)).toBe(text);
    });
  });

  describe('spendLines', () => {
    it('prints one aligned line per group with its share, then the total and what is held', () => {
      expect(spendLines(report)).toEqual([
        'spend of tenant acme by user, 2026-11-01 to 2026-11-21 (UTC)',
        'user         dollars  calls  share',
        'u_1            $3.00     12  75.0%',
        'support-bot    $1.00    130  25.0%',
        'total          $4.00    142',
        'held         $0.0125',
      ]);
    });

    it('says when nothing was spent', () => {
      expect(spendLines({ ...report, totalUsd: 0, heldUsd: 0, rows: [] })).toEqual([
        'spend of tenant acme by user, 2026-11-01 to 2026-11-21 (UTC)',
        'no settled spend',
        'held   $0.00 (calls under way)',
      ]);
    });

    it('shows no share when the groups spent nothing', () => {
      const free = { ...report, totalUsd: 0, rows: [{ key: 'u_1', spentUsd: 0, calls: 3 }] };
      expect(spendLines(free)[2]).toBe('u_1      $0.00      3      -');
    });
  });

  describe('capLines', () => {
    it('prints the tenant and the global caps with who set them and why', () => {
      const caps: BudgetCap[] = [
        {
          tenantId: 'acme',
          cap: 'user_daily',
          subject: 'u_88',
          limitUsd: 5,
          updatedAt: '2026-11-21T10:00:00.000Z',
          updatedBy: 'alice',
          reason: 'trial',
        },
        {
          tenantId: '_all',
          cap: 'global_daily',
          subject: '*',
          limitUsd: 1000,
          updatedAt: '2026-11-20T09:00:00.000Z',
          updatedBy: 'root',
          reason: 'provider quota',
        },
      ];
      expect(capLines(caps)).toEqual([
        'cap           scope         subject     limit  since                     by / reason',
        'user_daily    tenant acme   u_88        $5.00  2026-11-21T10:00:00.000Z  alice: trial',
        'global_daily  every tenant  *        $1000.00  2026-11-20T09:00:00.000Z  root: provider quota',
      ]);
    });
  });

  describe('capChangeLine', () => {
    const change: BudgetCapChanged = {
      id: 'bcc_1',
      type: 'budget.cap.changed',
      time: '2026-11-21T10:00:00.000Z',
      tenantId: 'acme',
      cap: 'user_daily',
      subject: 'u_88',
      previousUsd: null,
      limitUsd: 5,
      by: 'alice',
      reason: 'trial',
    };

    it('says what changed, by whom and why, with the audit record', () => {
      expect(capChangeLine(change)).toBe(
        'user_daily of user u_88 for tenant acme: none → $5.00, by alice: trial (bcc_1)',
      );
      expect(
        capChangeLine({
          ...change,
          tenantId: '_all',
          cap: 'global_daily',
          subject: '*',
          previousUsd: 1000,
          limitUsd: null,
        }),
      ).toBe('global_daily for every tenant: $1000.00 → none (removed), by alice: trial (bcc_1)');
    });
  });
});
