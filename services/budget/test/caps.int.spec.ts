import {
  BudgetOp,
  Header,
  streamNames,
  subjects,
  type BudgetCap,
  type BudgetCapChanged,
} from '@tether/contracts';
import { provisionStreams, type RemoteError } from '@tether/event-store';
import { aCap, aReservation, startBudget, uniqueId, type BudgetUnderTest } from './budget.fixtures';

describe('Budget caps', () => {
  let sut: BudgetUnderTest;

  beforeAll(async () => {
    sut = await startBudget('budgetcaps', '2026-11-21T10:00:00.000Z');
  });
  afterAll(async () => {
    await sut?.stop();
  });

  const setCap = (...args: Parameters<typeof aCap>) =>
    sut.ask<BudgetCapChanged>(BudgetOp.CapsSet, aCap(...args));
  const listCaps = (tenantId: string) => sut.ask<BudgetCap[]>(BudgetOp.CapsList, { tenantId });

  async function lastAudit(tenantId: string) {
    const jsm = await sut.sut.nc.jetstreamManager();
    const m = await jsm.streams.getMessage(streamNames(sut.prefix).ctl, {
      last_by_subj: subjects.budgetCaps(sut.prefix, tenantId),
    });
    return {
      record: JSON.parse(new TextDecoder().decode(m.data)) as BudgetCapChanged,
      msgId: m.header.get(Header.MsgId),
      type: m.header.get(Header.Type),
    };
  }

  describe('when a cap is set', () => {
    it('answers and records the change on _CTL with who, why and the previous limit', async () => {
      const tenantId = uniqueId('t');
      const first = await setCap(tenantId, 'user_daily', 5, 'u_88');
      expect(first).toEqual({
        id: expect.stringMatching(/^bcc_[0-9A-Z]{26}$/),
        type: 'budget.cap.changed',
        time: '2026-11-21T10:00:00.000Z',
        tenantId,
        cap: 'user_daily',
        subject: 'u_88',
        previousUsd: null,
        limitUsd: 5,
        by: 'ops@example.com',
        reason: 'test',
      });
      expect(await lastAudit(tenantId)).toEqual({
        record: first,
        msgId: first.id,
        type: 'budget.cap.changed',
      });
      const second = await setCap(tenantId, 'user_daily', 7.5, 'u_88');
      expect(second).toMatchObject({ previousUsd: 5, limitUsd: 7.5 });
      expect((await lastAudit(tenantId)).record).toEqual(second);
    });

    it('takes effect for the next reservation', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'tenant_daily', 0.5);
      const reserve = () => sut.ask(BudgetOp.Reserve, aReservation({ tenantId, amountUsd: 1 }));
      expect(await reserve()).toMatchObject({ granted: false });
      await setCap(tenantId, 'tenant_daily', 2);
      expect(await reserve()).toMatchObject({ granted: true });
    });

    it('removes a cap with a null limit, and records that too', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'run', 3);
      const removal = await setCap(tenantId, 'run', null);
      expect(removal).toMatchObject({ previousUsd: 3, limitUsd: null });
      expect((await lastAudit(tenantId)).record).toEqual(removal);
      expect(await listCaps(tenantId)).toEqual([]);
    });

    it('does not take effect when its audit record cannot be stored', async () => {
      const tenantId = uniqueId('t');
      await setCap(tenantId, 'tenant_monthly', 10);
      const jsm = await sut.sut.nc.jetstreamManager();
      await jsm.streams.delete(streamNames(sut.prefix).ctl);
      try {
        const err = await setCap(tenantId, 'tenant_monthly', 1000).catch((e: RemoteError) => e);
        expect(err).toBeInstanceOf(Error);
      } finally {
        await provisionStreams(jsm, sut.prefix);
      }
      expect((await listCaps(tenantId)).map((c) => c.limitUsd)).toEqual([10]);
    });
  });

  describe('when caps are listed', () => {
    it("shows a tenant its own caps and the global ones, never another tenant's", async () => {
      const acme = uniqueId('acme');
      const globex = uniqueId('globex');
      await setCap(acme, 'tenant_daily', 10);
      await setCap(acme, 'user_daily', 1, 'u_1');
      await setCap(globex, 'tenant_daily', 99);
      await setCap('_all', 'global_monthly', 5000);
      try {
        const caps = await listCaps(acme);
        expect(caps.map((c) => [c.tenantId, c.cap, c.subject, c.limitUsd])).toEqual([
          [acme, 'tenant_daily', '*', 10],
          [acme, 'user_daily', 'u_1', 1],
          ['_all', 'global_monthly', '*', 5000],
        ]);
        expect(caps[0]).toEqual({
          tenantId: acme,
          cap: 'tenant_daily',
          subject: '*',
          limitUsd: 10,
          updatedAt: '2026-11-21T10:00:00.000Z',
          updatedBy: 'ops@example.com',
          reason: 'test',
        });
        expect((await listCaps('_all')).map((c) => c.tenantId)).toEqual(['_all']);
      } finally {
        await setCap('_all', 'global_monthly', null);
      }
    });
  });
});
