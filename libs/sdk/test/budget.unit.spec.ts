import type { BudgetCapChanged, SetBudgetCap, SpendReport } from '@tether/contracts';
import { budgetOf, type BudgetRequest } from '../src';
import { aCap } from './budget.fixtures';

const aChange: BudgetCapChanged = {
  id: 'bcc_1',
  type: 'budget.cap.changed',
  time: '2026-11-21T10:00:00.000Z',
  tenantId: 'acme',
  cap: 'user_daily',
  subject: 'u_1',
  previousUsd: null,
  limitUsd: 5,
  by: 'alice',
  reason: 'trial user',
};

const aReport: SpendReport = {
  tenantId: 'acme',
  by: 'user',
  from: '2026-11-01',
  to: '2026-11-21',
  totalUsd: 3.5,
  heldUsd: 0.25,
  rows: [
    { key: 'u_1', spentUsd: 3, calls: 12 },
    { key: 'u_2', spentUsd: 0.5, calls: 2 },
  ],
};

const validCap: SetBudgetCap = {
  tenantId: 'acme',
  cap: 'user_daily',
  subject: 'u_1',
  limitUsd: 5,
  by: 'alice',
  reason: 'trial user',
};

/** A budget service that answers `reply` and records what it was asked. */
function aService(reply: unknown) {
  const request = jest.fn(async () => reply);
  return { request, sut: budgetOf(request as unknown as BudgetRequest, 'acme') };
}

async function rejection(action: () => Promise<unknown>): Promise<Error & { problems?: string[] }> {
  try {
    await action();
  } catch (err) {
    return err as Error & { problems?: string[] };
  }
  throw new Error('expected a rejection');
}

describe('Budget (client.budget)', () => {
  describe('caps', () => {
    it("asks for the client's tenant by default, or the one named", async () => {
      const { request, sut } = aService([aCap]);
      expect(await sut.caps()).toEqual([aCap]);
      await sut.caps('globex');
      expect(request.mock.calls).toEqual([
        ['caps.list', { tenantId: 'acme' }],
        ['caps.list', { tenantId: 'globex' }],
      ]);
    });

    it('refuses a tenant that is not an id, without asking', async () => {
      const { request, sut } = aService([]);
      const err = await rejection(() => sut.caps('a.b'));
      expect(err.name).toBe('ValidationError');
      expect(request).not.toHaveBeenCalled();
    });

    it('refuses a reply that is not a list of caps', async () => {
      const err = await rejection(() => aService([{ ...aCap, limitUsd: '50' }]).sut.caps());
      expect(err).toMatchObject({
        name: 'InvalidReplyError',
        problems: ['[0].limitUsd is missing or malformed'],
      });
      expect((await rejection(() => aService({}).sut.caps())).name).toBe('InvalidReplyError');
    });
  });

  describe('setCap', () => {
    it('sends the fields of the contract only, who and why trimmed, and returns the audit record', async () => {
      const { request, sut } = aService(aChange);
      const extra = { ...validCap, by: ' alice ', reason: ' trial user\n', role: 'admin' };
      expect(await sut.setCap(extra as SetBudgetCap)).toEqual(aChange);
      expect(request).toHaveBeenCalledWith('caps.set', validCap);
    });

    it('sends a removal (limitUsd null) and a cap without a subject as they are', async () => {
      const { request, sut } = aService({ ...aChange, limitUsd: null, previousUsd: 5 });
      const { subject: _omit, ...noSubject } = validCap;
      await sut.setCap({ ...noSubject, limitUsd: null });
      expect(request).toHaveBeenCalledWith('caps.set', { ...noSubject, limitUsd: null });
    });

    it.each<[string, Partial<SetBudgetCap>, RegExp]>([
      ['an unknown cap', { cap: 'hourly' as never }, /cap must be one of/],
      ['a negative limit', { limitUsd: -1 }, /limitUsd must not be less than 0/],
      ['a missing limit', { limitUsd: undefined }, /limitUsd/],
      ['a limit in a string', { limitUsd: '5' as never }, /limitUsd must be a number/],
      ['a blank reason', { reason: '  ' }, /reason/],
      ['nobody', { by: '' }, /by/],
      ['a tenant that is not an id', { tenantId: 'acme corp' }, /tenantId/],
    ])('refuses %s without asking', async (_label, change, problem) => {
      const { request, sut } = aService(aChange);
      const err = await rejection(() => sut.setCap({ ...validCap, ...change } as SetBudgetCap));
      expect(err.name).toBe('ValidationError');
      expect(err.problems!.join('\n')).toMatch(problem);
      expect(request).not.toHaveBeenCalled();
    });

    it('refuses an answer that is not an audit record', async () => {
      const err = await rejection(() =>
        aService({ ...aChange, type: 'switch.flipped' }).sut.setCap(validCap),
      );
      expect(err).toMatchObject({ name: 'InvalidReplyError', service: 'budget', op: 'caps.set' });
    });
  });

  describe('spend', () => {
    it('sends the query and returns the report', async () => {
      const { request, sut } = aService(aReport);
      const query = { tenantId: 'acme', by: 'user' as const, from: '2026-11-01', agent: 'a' };
      expect(await sut.spend(query)).toEqual(aReport);
      expect(request).toHaveBeenCalledWith('spend', query);
    });

    it.each<[string, Record<string, unknown>, RegExp]>([
      ['an unknown group', { by: 'hour' }, /by must be one of/],
      ['a day that is not a date', { from: '2026-13-01' }, /from/],
      ['a time instead of a day', { to: '2026-11-01T00:00:00Z' }, /to/],
      [
        'from after to',
        { from: '2026-11-02', to: '2026-11-01' },
        /from \(2026-11-02\) is after to/,
      ],
    ])('refuses %s without asking', async (_label, change, problem) => {
      const { request, sut } = aService(aReport);
      const err = await rejection(() => sut.spend({ tenantId: 'acme', by: 'day', ...change }));
      expect(err.name).toBe('ValidationError');
      expect(err.problems!.join('\n')).toMatch(problem);
      expect(request).not.toHaveBeenCalled();
    });

    it('refuses a report whose rows break the contract', async () => {
      const bad = { ...aReport, rows: [{ key: 'u_1', spentUsd: -1, calls: 1 }] };
      const err = await rejection(() => aService(bad).sut.spend({ tenantId: 'acme', by: 'user' }));
      expect(err.problems).toEqual(['report.rows[0].spentUsd is missing or malformed']);
    });
  });
});
