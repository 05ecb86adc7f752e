import type { NatsConnection, Subscription } from 'nats';
import type { BudgetCap, BudgetCapChanged, SpendReport } from '@tether/contracts';
import { connectTestNats } from '@tether/testing';
import {
  createKeys,
  expectProblem,
  serviceStandIn,
  startGateway,
  type Received,
  type StandInAnswer,
  type TestGateway,
} from './gateway.helper';

const CAP: BudgetCap = {
  tenantId: 'acme',
  cap: 'tenant_daily',
  subject: '*',
  limitUsd: 50,
  updatedAt: '2026-11-21T10:00:00.000Z',
  updatedBy: 'ops',
  reason: 'launch week',
};

/**
 * A stand-in for the budget service on the real NATS, answering `<P>.svc.budget.<op>` as
 * service-kit's transport does. It echoes what it was asked, so the tests see what the gateway
 * forwarded. Like the real service, it refuses a `global_*` cap of any tenant but `_all`, and a
 * reason `refuse me` stands for any other cap that does not fit.
 */
function budgetResponder(nc: NatsConnection, prefix: string, received: Received[]): Subscription {
  const answer = (op: string, body: Record<string, unknown>): StandInAnswer => {
    if (op === 'caps.list') return { ok: true, result: [{ ...CAP, tenantId: body.tenantId }] };
    if (op === 'spend') {
      const report: SpendReport = {
        tenantId: String(body.tenantId),
        by: body.by as SpendReport['by'],
        from: String(body.from ?? '2026-10-22'),
        to: String(body.to ?? '2026-11-21'),
        totalUsd: 1.5,
        heldUsd: 0.25,
        rows: [{ key: String(body.userId ?? 'u_1'), spentUsd: 1.5, calls: 3 }],
      };
      return { ok: true, result: report };
    }
    if (String(body.cap).startsWith('global_') && body.tenantId !== '_all')
      return {
        ok: false,
        error: {
          name: 'ValidationError',
          code: 'validation_failed',
          message: `invalid cap: ${String(body.cap)} is set for tenant _all only`,
        },
      };
    if (body.reason === 'refuse me')
      return {
        ok: false,
        error: {
          name: 'ValidationError',
          code: 'validation_failed',
          message: 'invalid cap: subject is for user_* caps only',
        },
      };
    const record: BudgetCapChanged = {
      id: 'bcc_1',
      type: 'budget.cap.changed',
      time: '2026-11-21T10:00:00.000Z',
      tenantId: String(body.tenantId),
      cap: body.cap as BudgetCapChanged['cap'],
      subject: String(body.subject ?? '*'),
      previousUsd: null,
      limitUsd: body.limitUsd as number | null,
      by: String(body.by),
      reason: String(body.reason),
    };
    return { ok: true, result: record };
  };
  return serviceStandIn(nc, prefix, 'budget', received, answer);
}

describe('budget endpoints (forwarded to the budget service)', () => {
  let gw: TestGateway;
  let nc: NatsConnection;
  let responder: Subscription | undefined;
  const received: Received[] = [];
  let keys: Record<string, string> = {};
  const lastRequest = () => received.at(-1)!;

  beforeAll(async () => {
    gw = await startGateway('gwbudget', { TETHER_GATEWAY_SERVICE_TIMEOUT_MS: '300' });
    nc = await connectTestNats('budget-stand-in');
    responder = budgetResponder(nc, gw.prefix, received);
    await nc.flush();
    keys = await createKeys(gw, {
      user: ['acme', 'u_1', ['user']],
      approver: ['acme', 'apr_1', ['approver']],
      operator: ['acme', 'ops_1', ['operator']],
      admin: ['acme', 'root_1', ['admin']],
      otherOperator: ['globex', 'ops_9', ['operator']],
    });
  });
  afterAll(async () => {
    responder?.unsubscribe();
    await nc?.close();
    await gw?.stop();
  });

  describe('GET /v1/spend', () => {
    it.each(['operator', 'admin'])(
      "answers an %s the tenant's spend as asked, in the key's tenant",
      async (who) => {
        const res = await gw.http(
          'GET',
          '/v1/spend?by=user&from=2026-11-01&to=2026-11-21&userId=u_7&agent=support-agent&model=openai:gpt-4.1',
          { key: keys[who] },
        );
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ tenantId: 'acme', by: 'user', totalUsd: 1.5 });
        expect(lastRequest()).toEqual({
          op: 'spend',
          body: {
            tenantId: 'acme',
            by: 'user',
            from: '2026-11-01',
            to: '2026-11-21',
            userId: 'u_7',
            agent: 'support-agent',
            model: 'openai:gpt-4.1',
          },
        });
      },
    );

    it('answers a user key its own spend only', async () => {
      const res = await gw.http('GET', '/v1/spend?by=agent', { key: keys.user });
      expect(res.status).toBe(200);
      expect(lastRequest().body).toEqual({ tenantId: 'acme', by: 'agent', userId: 'u_1' });
      await gw.http('GET', '/v1/spend?by=day&userId=u_1', { key: keys.user });
      expect(lastRequest().body).toEqual({ tenantId: 'acme', by: 'day', userId: 'u_1' });
    });

    it("refuses a user key other users' spend and the groups that show it, with 403, without asking", async () => {
      const before = received.length;
      for (const query of ['by=user', 'by=tenant', 'by=day&userId=u_2']) {
        const res = await gw.http('GET', `/v1/spend?${query}`, { key: keys.user });
        expectProblem(res, 403, 'forbidden');
        expect(res.body.detail).toMatch(/operator or admin key/);
      }
      expectProblem(
        await gw.http('GET', '/v1/spend?by=day', { key: keys.approver }),
        403,
        'forbidden',
      );
      expect(received.length).toBe(before);
    });

    it('refuses a bad query with 400 naming every problem, without asking', async () => {
      const before = received.length;
      const res = await gw.http(
        'GET',
        '/v1/spend?by=hour&from=2026-13-01&to=yesterday&tenantId=globex',
        { key: keys.operator },
      );
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^by must be one of/),
          expect.stringMatching(/^from/),
          expect.stringMatching(/^to/),
          expect.stringMatching(/tenantId should not exist/),
        ]),
      );
      expectProblem(
        await gw.http('GET', '/v1/spend', { key: keys.operator }),
        400,
        'validation_failed',
      );
      const reversed = await gw.http('GET', '/v1/spend?by=day&from=2026-11-02&to=2026-11-01', {
        key: keys.operator,
      });
      expectProblem(reversed, 400, 'validation_failed');
      expect(reversed.body.problems).toEqual(['from (2026-11-02) is after to (2026-11-01)']);
      expect(received.length).toBe(before);
    });
  });

  describe('GET /v1/budget/caps', () => {
    it("lists the caps of the key's tenant", async () => {
      const res = await gw.http('GET', '/v1/budget/caps', { key: keys.otherOperator });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [{ ...CAP, tenantId: 'globex' }] });
      expect(lastRequest()).toEqual({ op: 'caps.list', body: { tenantId: 'globex' } });
    });
  });

  describe('PUT /v1/budget/caps/:cap', () => {
    it("sets a cap of the key's tenant, as the key's subject", async () => {
      const res = await gw.http('PUT', '/v1/budget/caps/user_daily', {
        key: keys.operator,
        body: { limitUsd: 5, subject: 'u_1', reason: 'trial account' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ type: 'budget.cap.changed', tenantId: 'acme', by: 'ops_1' });
      expect(lastRequest()).toEqual({
        op: 'caps.set',
        body: {
          tenantId: 'acme',
          cap: 'user_daily',
          subject: 'u_1',
          limitUsd: 5,
          by: 'ops_1',
          reason: 'trial account',
        },
      });
    });

    it('removes a cap with limitUsd null', async () => {
      const res = await gw.http('PUT', '/v1/budget/caps/tenant_daily', {
        key: keys.admin,
        body: { limitUsd: null, reason: 'launch over' },
      });
      expect(res.status).toBe(200);
      expect(lastRequest().body).toEqual({
        tenantId: 'acme',
        cap: 'tenant_daily',
        limitUsd: null,
        by: 'root_1',
        reason: 'launch over',
      });
    });

    describe('with a global cap', () => {
      it('refuses `global: true` from an admin key with 400, as any unknown property, without asking', async () => {
        const before = received.length;
        const res = await gw.http('PUT', '/v1/budget/caps/global_daily', {
          key: keys.admin,
          body: { limitUsd: 0, reason: 'stop every tenant', global: true, tenantId: '_all' },
        });
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.problems).toEqual([
          'global: property global should not exist',
          'tenantId: property tenantId should not exist',
        ]);
        expect(received.length).toBe(before);
      });

      it.each(['global_daily', 'global_monthly'])(
        "asks for %s of the key's tenant only, even with an admin key, and answers the refusal with 422",
        async (cap) => {
          const res = await gw.http('PUT', `/v1/budget/caps/${cap}`, {
            key: keys.admin,
            body: { limitUsd: 0, reason: 'stop every tenant' },
          });
          expectProblem(res, 422, 'validation_failed');
          expect(res.body.detail).toBe(`invalid cap: ${cap} is set for tenant _all only`);
          expect(lastRequest()).toEqual({
            op: 'caps.set',
            body: { tenantId: 'acme', cap, limitUsd: 0, by: 'root_1', reason: 'stop every tenant' },
          });
        },
      );
    });

    it('refuses a bad cap or body with 400 naming every problem, without asking', async () => {
      const before = received.length;
      const bad = await gw.http('PUT', '/v1/budget/caps/user_daily', {
        key: keys.operator,
        body: { limitUsd: '5', reason: ' ', global: true, tenantId: 'globex', by: 'someone' },
      });
      expectProblem(bad, 400, 'validation_failed');
      expect(bad.body.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^limitUsd must be a number/),
          expect.stringMatching(/^reason/),
          expect.stringMatching(/global should not exist/),
          expect.stringMatching(/tenantId should not exist/),
          expect.stringMatching(/by should not exist/),
        ]),
      );
      const noLimit = await gw.http('PUT', '/v1/budget/caps/run', {
        key: keys.operator,
        body: { reason: 'x' },
      });
      expectProblem(noLimit, 400, 'validation_failed');
      expect(noLimit.body.problems).not.toHaveLength(0);
      expect(noLimit.body.problems).toEqual(
        (noLimit.body.problems as string[]).map(() => expect.stringMatching(/^limitUsd/)),
      );
      const unknown = await gw.http('PUT', '/v1/budget/caps/hourly', {
        key: keys.operator,
        body: { limitUsd: 1, reason: 'x' },
      });
      expectProblem(unknown, 400, 'validation_failed');
      expect(unknown.body.problems).toEqual([expect.stringMatching(/^cap must be one of run, /)]);
      expect(received.length).toBe(before);
    });

    it("answers the budget service's refusal of a well-formed change with 422 and its message", async () => {
      const res = await gw.http('PUT', '/v1/budget/caps/tenant_daily', {
        key: keys.operator,
        body: { limitUsd: 1, subject: 'u_1', reason: 'refuse me' },
      });
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.detail).toBe('invalid cap: subject is for user_* caps only');
    });
  });

  describe('when the budget service is not running', () => {
    beforeAll(async () => {
      responder?.unsubscribe();
      responder = undefined;
      await nc.flush();
    });

    it.each([
      ['GET', '/v1/spend?by=day', undefined],
      ['GET', '/v1/budget/caps', undefined],
      ['PUT', '/v1/budget/caps/run', { limitUsd: 1, reason: 'x' }],
    ])('%s %s is 503', async (method, path, body) => {
      const res = await gw.http(method, path, { key: keys.admin, body });
      expectProblem(res, 503, 'service_unavailable');
      expect(res.body.detail).toMatch(/budget service is not available/);
    });
  });
});
