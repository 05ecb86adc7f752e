import type { AddressInfo } from 'node:net';
import {
  BUDGET_SERVICE,
  BudgetOp,
  GLOBAL_CAP_TENANT,
  streamNames,
  subjects,
  type BudgetCap,
  type BudgetCapChanged,
  type SetBudgetCap,
  type TetherEvent,
} from '@tether/contracts';
import { newId, requestService, type RunningConsumer } from '@tether/event-store';
import { startService, type RunningService } from '@tether/service-kit';
import { aModelResponded, aRunStarted, anEvent } from '../../libs/testing/src/run-events.builder';
import { eventually, testEnv } from '../../libs/testing/src/infra.helper';
import { routeNotices } from '../../libs/testing/src/notice-router.helper';
import { budgetService } from '../../services/budget/src/budget.module';
import { loadConfig as budgetConfig } from '../../services/budget/src/config';
import {
  createKeyOverBus,
  expectProblem,
  httpClient,
  type Reply,
} from '../../services/gateway/test/gateway.helper';
import { startStack, type TestStack } from '../stack';

describe('spend and budget caps over HTTP, through the real budget service', () => {
  let stack: TestStack;
  let budget: RunningService | undefined;
  // The trace-store's projector is not running here: this sends the budget ledger its notices.
  let router: RunningConsumer | undefined;
  let call: ReturnType<typeof httpClient>;
  const keys = { u1: '', u2: '', operator: '', admin: '', otherOperator: '' };

  const http = (method: string, path: string, key: string, body?: unknown): Promise<Reply> =>
    call(method, path, { key, body });

  /** The last `budget.cap.changed` audit record of a scope (a tenant, or `_all`), as `_CTL` holds it. */
  async function lastAudit(scope: string): Promise<BudgetCapChanged> {
    const jsm = await stack.nc.jetstreamManager();
    const m = await jsm.streams.getMessage(streamNames(stack.prefix).ctl, {
      last_by_subj: subjects.budgetCaps(stack.prefix, scope),
    });
    return JSON.parse(Buffer.from(m.data).toString('utf8')) as BudgetCapChanged;
  }

  /** As `lastAudit`, or undefined when the scope has none. */
  async function lastAuditIfAny(scope: string): Promise<BudgetCapChanged | undefined> {
    try {
      return await lastAudit(scope);
    } catch (err) {
      if (/no message found/.test(String(err))) return undefined;
      throw err;
    }
  }

  /** A cap change on the bus, as `tether budget set` (or the SDK's `budget.setCap`) sends it. */
  const setCapOnBus = (change: SetBudgetCap): Promise<BudgetCapChanged> =>
    requestService(stack.nc, stack.prefix, BUDGET_SERVICE, BudgetOp.CapsSet, change, 5_000);

  /** The caps a key's tenant is shown over HTTP. */
  async function capsSeenBy(key: string): Promise<BudgetCap[]> {
    const res = await http('GET', '/v1/budget/caps', key);
    expect(res.status).toBe(200);
    return res.body.items as unknown as BudgetCap[];
  }

  /** A run of `userId` that paid `costUsd` for one model call, appended to the log now. */
  async function paidRun(tenantId: string, userId: string, costUsd: number): Promise<void> {
    const runId = `run_${newId('x').slice(2)}`;
    const time = new Date().toISOString();
    const envelope = { tenantId, runId, time };
    const events: TetherEvent[] = [
      anEvent('run.started', aRunStarted({ userId }), { ...envelope, id: newId('evt') }),
      anEvent('model.responded', aModelResponded(1, { costUsd }), {
        ...envelope,
        id: newId('evt'),
      }),
    ];
    await stack.store.appendAll(events, 0);
  }

  beforeAll(async () => {
    stack = await startStack({ label: 'budgethttp', services: ['gateway'] });
    budget = await startService(
      budgetService(
        budgetConfig({
          TETHER_PREFIX: stack.prefix,
          TETHER_NATS_URL: testEnv.natsUrl,
          DATABASE_URL: stack.db.url,
          TETHER_HTTP_PORT: '0',
          LOG_LEVEL: 'error',
        }),
      ),
    );
    router = await routeNotices(stack.nc, stack.prefix);
    const port = (stack.services.gateway.app.getHttpServer().address() as AddressInfo).port;
    call = httpClient(`http://127.0.0.1:${port}`);
    const createKey = (tenantId: string, subject: string, roles: string[]) =>
      createKeyOverBus(stack.nc, stack.prefix, tenantId, subject, roles);
    keys.u1 = await createKey('acme', 'u_1', ['user']);
    keys.u2 = await createKey('acme', 'u_2', ['user']);
    keys.operator = await createKey('acme', 'ops_1', ['operator']);
    keys.admin = await createKey('acme', 'root_1', ['admin']);
    keys.otherOperator = await createKey('globex', 'ops_9', ['operator']);
  });
  afterAll(async () => {
    await router?.stop();
    await budget?.close();
    await stack?.stop();
  });

  describe('caps', () => {
    it("sets a cap over HTTP, audits it with the key's subject and the reason first, and lists it", async () => {
      const res = await http('PUT', '/v1/budget/caps/user_daily', keys.operator, {
        limitUsd: 5,
        subject: 'u_1',
        reason: 'trial account',
      });
      expect(res.status).toBe(200);
      const record = res.body as unknown as BudgetCapChanged;
      expect(record).toMatchObject({
        type: 'budget.cap.changed',
        tenantId: 'acme',
        cap: 'user_daily',
        subject: 'u_1',
        previousUsd: null,
        limitUsd: 5,
        by: 'ops_1',
        reason: 'trial account',
      });
      expect(await lastAudit('acme')).toEqual(record);

      const listed = await http('GET', '/v1/budget/caps', keys.operator);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toContainEqual(
        expect.objectContaining({
          tenantId: 'acme',
          cap: 'user_daily',
          subject: 'u_1',
          limitUsd: 5,
          updatedBy: 'ops_1',
          reason: 'trial account',
        }),
      );
    });

    it("does not show a tenant's caps to another tenant", async () => {
      await http('PUT', '/v1/budget/caps/tenant_daily', keys.operator, {
        limitUsd: 40,
        reason: 'launch week',
      });
      const theirs = await http('GET', '/v1/budget/caps', keys.otherOperator);
      expect(theirs.status).toBe(200);
      expect(theirs.body.items!.filter((c) => c.tenantId === 'acme')).toEqual([]);
      expect((await http('GET', '/v1/budget/caps', keys.operator)).body.items).toContainEqual(
        expect.objectContaining({ tenantId: 'acme', cap: 'tenant_daily', limitUsd: 40 }),
      );
    });

    it('removes a cap with limitUsd null, audited with the limit it had', async () => {
      await http('PUT', '/v1/budget/caps/tenant_monthly', keys.admin, {
        limitUsd: 900,
        reason: 'november',
      });
      const res = await http('PUT', '/v1/budget/caps/tenant_monthly', keys.admin, {
        limitUsd: null,
        reason: 'no monthly cap after all',
      });
      expect(res.body).toMatchObject({ previousUsd: 900, limitUsd: null, by: 'root_1' });
      const listed = await http('GET', '/v1/budget/caps', keys.admin);
      expect(listed.body.items!.filter((c) => c.cap === 'tenant_monthly')).toEqual([]);
    });

    describe('global caps (tenant _all)', () => {
      it('are not set over HTTP, not even with an admin key: 400 for `global`, 422 for a global_* cap, nothing changes', async () => {
        const ours = await capsSeenBy(keys.admin);
        const theirs = await capsSeenBy(keys.otherOperator);
        const ourLastAudit = await lastAuditIfAny('acme');

        const flagged = await http('PUT', '/v1/budget/caps/global_daily', keys.admin, {
          limitUsd: 0,
          reason: 'stop every tenant',
          global: true,
        });
        expectProblem(flagged, 400, 'validation_failed');
        expect(flagged.body.problems).toEqual(['global: property global should not exist']);

        for (const cap of ['global_daily', 'global_monthly']) {
          const refused = await http('PUT', `/v1/budget/caps/${cap}`, keys.admin, {
            limitUsd: 0,
            reason: 'stop every tenant',
          });
          expectProblem(refused, 422, 'validation_failed');
          expect(refused.body.detail).toMatch(`${cap} is set for tenant _all only`);
        }

        expect(await capsSeenBy(keys.admin)).toEqual(ours);
        const theirsAfter = await capsSeenBy(keys.otherOperator);
        expect(theirsAfter).toEqual(theirs);
        expect(theirsAfter.filter((c) => c.tenantId === GLOBAL_CAP_TENANT)).toEqual([]);
        expect(await lastAuditIfAny('acme')).toEqual(ourLastAudit);
        expect(await lastAuditIfAny(GLOBAL_CAP_TENANT)).toBeUndefined();
      });

      it('are set on the bus, listed to every tenant over HTTP, and read-only there', async () => {
        const record = await setCapOnBus({
          tenantId: GLOBAL_CAP_TENANT,
          cap: 'global_daily',
          limitUsd: 1000,
          by: 'cluster-ops',
          reason: 'provider quota',
        });
        expect(record).toMatchObject({ tenantId: '_all', cap: 'global_daily', limitUsd: 1000 });
        expect(await lastAudit(GLOBAL_CAP_TENANT)).toEqual(record);
        for (const key of [keys.operator, keys.admin, keys.otherOperator])
          expect(await capsSeenBy(key)).toContainEqual(
            expect.objectContaining({
              tenantId: '_all',
              cap: 'global_daily',
              limitUsd: 1000,
              updatedBy: 'cluster-ops',
            }),
          );

        for (const limitUsd of [0, null]) {
          const refused = await http('PUT', '/v1/budget/caps/global_daily', keys.admin, {
            limitUsd,
            reason: 'lift or stop it for everyone',
          });
          expectProblem(refused, 422, 'validation_failed');
        }
        expect(await lastAudit(GLOBAL_CAP_TENANT)).toEqual(record);
      });
    });

    it('answers 400 naming the problems of a bad change, 422 for one the budget service refuses, 403 for a user', async () => {
      const bad = await http('PUT', '/v1/budget/caps/user_daily', keys.operator, {
        limitUsd: -1,
        reason: '',
        tenantId: 'globex',
      });
      expectProblem(bad, 400, 'validation_failed');
      expect(bad.body.problems).toEqual(
        expect.arrayContaining([
          'limitUsd must not be less than 0',
          expect.stringMatching(/^reason/),
          expect.stringMatching(/property tenantId should not exist/),
        ]),
      );
      const misfit = await http('PUT', '/v1/budget/caps/tenant_daily', keys.operator, {
        limitUsd: 1,
        subject: 'u_1',
        reason: 'a tenant cap for one user',
      });
      expectProblem(misfit, 422, 'validation_failed');
      expect(misfit.body.detail).toMatch(/tenant_daily/);
      expectProblem(await http('GET', '/v1/budget/caps', keys.u1), 403, 'forbidden');
    });
  });

  describe('spend', () => {
    beforeAll(async () => {
      await paidRun('acme', 'u_1', 0.5);
      await paidRun('acme', 'u_1', 0.25);
      await paidRun('acme', 'u_2', 2);
      await paidRun('globex', 'u_1', 7);
    });

    it("answers an operator the tenant's spend by user", async () => {
      const report = await eventually(async () => {
        const res = await http('GET', '/v1/spend?by=user', keys.operator);
        return res.status === 200 && res.body.totalUsd === 2.75 ? res.body : undefined;
      }, 'the spend of acme to be settled');
      expect(report).toMatchObject({ tenantId: 'acme', by: 'user', heldUsd: 0 });
      expect(report.rows).toEqual(
        expect.arrayContaining([
          { key: 'u_1', spentUsd: 0.75, calls: 2 },
          { key: 'u_2', spentUsd: 2, calls: 1 },
        ]),
      );
      expect(report.rows).toHaveLength(2);
    });

    it("answers a user key its own spend only, and refuses it others' spend", async () => {
      const own = await eventually(async () => {
        const res = await http('GET', '/v1/spend?by=day', keys.u1);
        return res.status === 200 && res.body.totalUsd === 0.75 ? res : undefined;
      }, "u_1's spend");
      expect(own.body.rows).toEqual([
        { key: new Date().toISOString().slice(0, 10), spentUsd: 0.75, calls: 2 },
      ]);
      expect((await http('GET', '/v1/spend?by=agent', keys.u2)).body.totalUsd).toBe(2);

      for (const query of ['by=user', 'by=tenant', 'by=day&userId=u_2'])
        expectProblem(await http('GET', `/v1/spend?${query}`, keys.u1), 403, 'forbidden');
    });

    it("never shows one tenant another tenant's spend", async () => {
      const theirs = await eventually(async () => {
        const res = await http('GET', '/v1/spend?by=tenant', keys.otherOperator);
        return res.status === 200 && res.body.totalUsd === 7 ? res : undefined;
      }, 'the spend of globex');
      expect(theirs.body.rows).toEqual([{ key: 'globex', spentUsd: 7, calls: 1 }]);
    });

    it('answers 400 naming the problems of a bad query', async () => {
      const res = await http('GET', '/v1/spend?by=week&from=2026-02-30', keys.operator);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^by must be one of the following values: tenant, user, agent, model, day/,
          ),
          expect.stringMatching(/^from/),
        ]),
      );
    });
  });

  describe('when the budget service is down', () => {
    beforeAll(async () => {
      await budget?.close();
      budget = undefined;
    });

    it.each([
      ['GET', '/v1/spend?by=day', undefined],
      ['GET', '/v1/budget/caps', undefined],
      ['PUT', '/v1/budget/caps/run', { limitUsd: 1, reason: 'x' }],
    ])('%s %s is 503', async (method, path, body) => {
      expectProblem(await http(method, path, keys.admin, body), 503, 'service_unavailable');
    });
  });
});
