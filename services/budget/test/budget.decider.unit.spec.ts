import type { CapName } from '@tether/contracts';
import { decideReservation, type CheckedCap } from '../src/domain/budget.decider';

const cap = (name: CapName, limitUsd: number, spentUsd = 0, heldUsd = 0): CheckedCap => ({
  cap: name,
  limitUsd,
  spentUsd,
  heldUsd,
  scope: `scope-of-${name}`,
  period: name.endsWith('monthly') ? '2026-11' : name === 'run' ? 'run' : '2026-11-21',
  filter: {},
});

describe('decideReservation', () => {
  describe('without caps', () => {
    it('grants the amount asked', () => {
      expect(decideReservation([], 0.25, 0.8)).toEqual({
        granted: true,
        amountUsd: 0.25,
        warnings: [],
      });
    });

    it('grants an unpriced call at 0', () => {
      expect(decideReservation([], undefined, 0.8)).toEqual({
        granted: true,
        amountUsd: 0,
        warnings: [],
      });
    });
  });

  describe('when the price is unknown', () => {
    it('refuses under any cap, naming the first one', () => {
      const caps = [cap('user_daily', 5, 1, 0.5), cap('tenant_monthly', 100)];
      expect(decideReservation(caps, undefined, 0.8)).toEqual({
        granted: false,
        refusal: {
          cap: 'user_daily',
          period: '2026-11-21',
          limitUsd: 5,
          spentUsd: 1.5,
          reason: 'unpriced',
        },
      });
    });

    it('refuses even under a cap with room to spare', () => {
      const verdict = decideReservation([cap('global_monthly', 1_000_000)], undefined, 0.8);
      expect(verdict).toMatchObject({ granted: false, refusal: { reason: 'unpriced' } });
    });
  });

  describe('when a cap would be crossed', () => {
    it('refuses naming the cap, the spend before and the amount asked', () => {
      expect(decideReservation([cap('run', 1, 0.7, 0.2)], 0.2, 0.8)).toEqual({
        granted: false,
        refusal: {
          cap: 'run',
          period: 'run',
          limitUsd: 1,
          spentUsd: 0.9,
          requestedUsd: 0.2,
          reason: 'cap_reached',
        },
      });
    });

    it('names the first cap in order when several are crossed', () => {
      const caps = [
        cap('run', 10),
        cap('user_monthly', 1, 0.95),
        cap('tenant_daily', 1, 0.99),
        cap('global_daily', 0.5),
      ];
      expect(decideReservation(caps, 0.1, 0.8)).toMatchObject({
        granted: false,
        refusal: { cap: 'user_monthly', spentUsd: 0.95 },
      });
    });

    it('counts what is held as much as what is spent', () => {
      expect(decideReservation([cap('tenant_daily', 1, 0, 0.95)], 0.1, 0.8)).toMatchObject({
        granted: false,
        refusal: { cap: 'tenant_daily', spentUsd: 0.95 },
      });
    });

    it('refuses any amount under a cap of 0', () => {
      expect(decideReservation([cap('user_daily', 0)], 0.000000001, 0.8)).toMatchObject({
        granted: false,
        refusal: { cap: 'user_daily', limitUsd: 0, spentUsd: 0 },
      });
    });

    it('refuses when the cap is already over (lowered after the spend)', () => {
      expect(decideReservation([cap('run', 1, 2)], 0, 0.8)).toMatchObject({
        granted: false,
        refusal: { cap: 'run', spentUsd: 2, requestedUsd: 0 },
      });
    });
  });

  describe('at the exact limit', () => {
    it('grants the reservation that reaches it exactly, float sums notwithstanding', () => {
      // 0.1 + 0.2 is 0.30000000000000004 in floats: the last cent must still fit.
      expect(decideReservation([cap('run', 0.6, 0.1, 0.2)], 0.3, 0.8)).toMatchObject({
        granted: true,
        amountUsd: 0.3,
      });
    });

    it('refuses one nano-dollar more', () => {
      expect(decideReservation([cap('run', 0.6, 0.1, 0.2)], 0.300000001, 0.8)).toMatchObject({
        granted: false,
      });
    });

    it('grants 0 under a cap of 0', () => {
      expect(decideReservation([cap('run', 0)], 0, 0.8)).toEqual({
        granted: true,
        amountUsd: 0,
        warnings: [],
      });
    });
  });

  describe('warnings', () => {
    it('warns for a cap the reservation takes to the warning share', () => {
      expect(decideReservation([cap('user_daily', 10, 6, 1)], 1, 0.8)).toEqual({
        granted: true,
        amountUsd: 1,
        warnings: [
          {
            cap: 'user_daily',
            scope: 'scope-of-user_daily',
            period: '2026-11-21',
            spentUsd: 8,
            limitUsd: 10,
            share: 0.8,
          },
        ],
      });
    });

    it('does not warn just below the share', () => {
      expect(decideReservation([cap('user_daily', 10, 6, 1)], 0.999999999, 0.8)).toMatchObject({
        granted: true,
        warnings: [],
      });
    });

    it('warns for every cap past the share, in order', () => {
      const caps = [
        cap('run', 2, 1.5),
        cap('user_daily', 100, 1.5),
        cap('tenant_monthly', 2.5, 1.5),
        cap('global_monthly', 2, 1.9),
      ];
      const verdict = decideReservation(caps, 0.1, 0.8);
      expect(verdict.granted && verdict.warnings.map((w) => [w.cap, w.share])).toEqual([
        ['run', 0.8],
        ['global_monthly', 1],
      ]);
    });

    it('keeps warning while over the share (sending once is the caller’s business)', () => {
      const verdict = decideReservation([cap('run', 1, 0.9)], 0.05, 0.8);
      expect(verdict.granted && verdict.warnings).toHaveLength(1);
    });

    it('never warns for a cap of 0', () => {
      expect(decideReservation([cap('run', 0)], 0, 0.5)).toMatchObject({ warnings: [] });
    });

    it('follows the configured share', () => {
      expect(decideReservation([cap('run', 10)], 5, 0.5)).toMatchObject({
        warnings: [{ cap: 'run', share: 0.5 }],
      });
      expect(decideReservation([cap('run', 10)], 5, 0.51)).toMatchObject({ warnings: [] });
      expect(decideReservation([cap('run', 10)], 10, 1)).toMatchObject({
        warnings: [{ cap: 'run', share: 1 }],
      });
    });

    it('does not warn when refused', () => {
      expect(decideReservation([cap('run', 1, 0.9)], 0.2, 0.8)).not.toHaveProperty('warnings');
    });
  });
});
