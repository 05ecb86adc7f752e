import { capTenantFor, spendQueryFor } from '../src/domain/budget-access';

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
  it("sets the caller's tenant's cap by default", () => {
    expect(capTenantFor(operator, false)).toEqual({ ok: true, value: 'acme' });
    expect(capTenantFor(admin, false)).toEqual({ ok: true, value: 'acme' });
  });

  it('sets a global cap (tenant _all) for an admin key only', () => {
    expect(capTenantFor(admin, true)).toEqual({ ok: true, value: '_all' });
    expect(capTenantFor(operator, true)).toEqual({
      ok: false,
      reason: 'only an admin key may set a global cap',
    });
  });
});
