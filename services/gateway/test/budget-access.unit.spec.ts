import { capChangeFor, spendQueryFor } from '../src/domain/budget-access';

const user = { tenantId: 'acme', subject: 'u_1', roles: ['user'] };
const approver = { tenantId: 'acme', subject: 'apr', roles: ['approver', 'user'] };
const operator = { tenantId: 'acme', subject: 'ops', roles: ['operator'] };
const admin = { tenantId: 'acme', subject: 'root', roles: ['admin'] };

describe('who sees which spend', () => {
  describe('with a key that sees the whole tenant', () => {
    it.each([
      ['an operator', operator],
      ['an admin', admin],
    ])("%s reads the tenant's spend as asked, in its own tenant only", (_label, caller) => {
      expect(spendQueryFor(caller, { by: 'user', userId: 'u_9', from: '2026-11-01' })).toEqual({
        ok: true,
        value: { tenantId: 'acme', by: 'user', userId: 'u_9', from: '2026-11-01' },
      });
      expect(spendQueryFor(caller, { by: 'tenant' })).toEqual({
        ok: true,
        value: { tenantId: 'acme', by: 'tenant' },
      });
    });
  });

  describe('with any other key', () => {
    it.each([
      ['a user', user],
      ['an approver', approver],
    ])('%s reads its own spend only', (_label, caller) => {
      expect(spendQueryFor(caller, { by: 'agent', model: 'openai:gpt-4.1' })).toEqual({
        ok: true,
        value: { tenantId: 'acme', by: 'agent', model: 'openai:gpt-4.1', userId: caller.subject },
      });
      expect(spendQueryFor(caller, { by: 'day', userId: caller.subject })).toMatchObject({
        ok: true,
        value: { userId: caller.subject },
      });
    });

    it.each(['user', 'tenant'] as const)('may not group by %s', (by) => {
      expect(spendQueryFor(user, { by })).toEqual({
        ok: false,
        reason: expect.stringMatching(new RegExp(`operator or admin key may group spend by ${by}`)),
      });
    });

    it("may not read another user's spend", () => {
      expect(spendQueryFor(user, { by: 'day', userId: 'u_2' })).toEqual({
        ok: false,
        reason: "only an operator or admin key may read other users' spend",
      });
    });
  });
});

describe('whose cap a change sets', () => {
  it.each([
    ['an operator', operator],
    ['an admin', admin],
  ])('%s sets a cap of its own tenant, as its subject', (_label, caller) => {
    expect(
      capChangeFor(caller, 'user_daily', { limitUsd: 5, subject: 'u_1', reason: 'trial account' }),
    ).toEqual({
      tenantId: 'acme',
      cap: 'user_daily',
      subject: 'u_1',
      limitUsd: 5,
      by: caller.subject,
      reason: 'trial account',
    });
    expect(capChangeFor(caller, 'tenant_daily', { limitUsd: null, reason: 'launch over' })).toEqual(
      {
        tenantId: 'acme',
        cap: 'tenant_daily',
        limitUsd: null,
        by: caller.subject,
        reason: 'launch over',
      },
    );
  });

  describe('with a global cap', () => {
    it.each(['global_daily', 'global_monthly'] as const)(
      "asks for %s of the caller's tenant even with an admin key, never of every tenant (_all)",
      (cap) => {
        expect(capChangeFor(admin, cap, { limitUsd: 0, reason: 'stop everyone' })).toMatchObject({
          tenantId: 'acme',
          cap,
        });
      },
    );

    it('ignores a global flag or a tenant slipped into the change', () => {
      const smuggled = { limitUsd: 0, reason: 'x', global: true, tenantId: '_all', by: 'nobody' };
      expect(capChangeFor(admin, 'global_daily', smuggled)).toEqual({
        tenantId: 'acme',
        cap: 'global_daily',
        limitUsd: 0,
        by: 'root',
        reason: 'x',
      });
    });
  });
});
