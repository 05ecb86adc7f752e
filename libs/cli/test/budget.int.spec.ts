import type { NatsConnection } from 'nats';
import { streamNames, subjects, type TetherEvent } from '@tether/contracts';
import { EventStore, newId, type RunningConsumer } from '@tether/event-store';
import {
  aModelResponded,
  aRunStarted,
  anEvent,
  connectTestNats,
  eventually,
  routeNotices,
  startIsolatedService,
  uniquePrefix,
  type IsolatedService,
} from '../../testing/src';
import { budgetService } from '../../../services/budget/src/budget.module';
import { loadConfig } from '../../../services/budget/src/config';
import { buildCli, tether } from './cli.process';

describe('tether spend and tether budget (the CLI, built and spawned)', () => {
  let budget: IsolatedService;
  let nc: NatsConnection;
  let router: RunningConsumer;
  const cli = (args: string[], env?: Record<string, string>) =>
    tether([...args, '--prefix', budget.prefix], env);

  /** A run of `userId` in `tenantId` that paid `costUsd` for one model call, appended now. */
  async function paidRun(tenantId: string, userId: string, costUsd: number): Promise<void> {
    const runId = `run_${newId('x').slice(2)}`;
    const envelope = { tenantId, runId, time: new Date().toISOString() };
    const events: TetherEvent[] = [
      anEvent('run.started', aRunStarted({ userId, agent: 'support-agent' }), {
        ...envelope,
        id: newId('evt'),
      }),
      anEvent('model.responded', aModelResponded(1, { costUsd }), {
        ...envelope,
        id: newId('evt'),
      }),
    ];
    await new EventStore(nc, budget.prefix).appendAll(events, 0);
  }

  beforeAll(async () => {
    buildCli();
    budget = await startIsolatedService('clibudget', (env) => budgetService(loadConfig(env)));
    nc = await connectTestNats('cli-budget');
    router = await routeNotices(nc, budget.prefix);
  });
  afterAll(async () => {
    await router?.stop();
    await nc?.close();
    await budget?.stop();
  });

  describe('budget set and budget caps', () => {
    it('sets a cap for one user of the tenant, says what changed, and audits who and why', async () => {
      const { code, stdout, stderr } = await cli([
        'budget',
        'set',
        'user_daily',
        '$5',
        '--user',
        'u_88',
        '--tenant',
        'acme',
        '--by',
        'alice@ops',
        '--reason',
        'trial account',
      ]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(
        /^user_daily of user u_88 for tenant acme: none → \$5\.00, by alice@ops: trial account \(\S+\)\n$/,
      );
      const jsm = await nc.jetstreamManager();
      const audit = await jsm.streams.getMessage(streamNames(budget.prefix).ctl, {
        last_by_subj: subjects.budgetCaps(budget.prefix, 'acme'),
      });
      expect(JSON.parse(Buffer.from(audit.data).toString('utf8'))).toMatchObject({
        type: 'budget.cap.changed',
        cap: 'user_daily',
        subject: 'u_88',
        limitUsd: 5,
        by: 'alice@ops',
        reason: 'trial account',
      });
    });

    it('lists the caps of the tenant (from TETHER_TENANT too) with the global ones', async () => {
      await cli([
        'budget',
        'set',
        'global_daily',
        '1000',
        '--global',
        '--by',
        'root',
        '--reason',
        'provider quota',
      ]);
      const { code, stdout } = await cli(['budget', 'caps'], { TETHER_TENANT: 'acme' });
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^cap +scope +subject +limit +since +by \/ reason$/);
      expect(lines.slice(1)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^user_daily +tenant acme +u_88 +\$5\.00 +\S+ +alice@ops: trial account$/,
          ),
          expect.stringMatching(
            /^global_daily +every tenant +\* +\$1000\.00 +\S+ +root: provider quota$/,
          ),
        ]),
      );
      expect(lines).toHaveLength(3);

      const other = await cli(['budget', 'caps', '--tenant', 'globex', '--json']);
      const caps = other.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(caps).toEqual([expect.objectContaining({ tenantId: '_all', cap: 'global_daily' })]);
    });

    it('removes a cap with none', async () => {
      const { code, stdout } = await cli([
        'budget',
        'set',
        'user_daily',
        'none',
        '--user',
        'u_88',
        '--tenant',
        'acme',
        '--by',
        'alice@ops',
        '--reason',
        'trial over',
        '--json',
      ]);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ previousUsd: 5, limitUsd: null });
    });

    it("exits 2 with the budget service's reason for a cap that does not fit its scope", async () => {
      const { code, stdout, stderr } = await cli([
        'budget',
        'set',
        'tenant_daily',
        '5',
        '--user',
        'u_88',
        '--by',
        'a',
        '--reason',
        'r',
      ]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^tether: budget refused caps\.set: .*tenant_daily/);
    });
  });

  describe('spend', () => {
    beforeAll(async () => {
      await paidRun('acme', 'u_1', 0.5);
      await paidRun('acme', 'u_2', 1.5);
      await paidRun('globex', 'u_1', 9);
    });

    it('prints the spend of the tenant by user: dollars, calls, share, the total and what is held', async () => {
      const stdout = await eventually(async () => {
        const r = await cli(['spend', '--by', 'user', '--tenant', 'acme']);
        return r.code === 0 && /^total +\$2\.00 +2$/m.test(r.stdout) ? r.stdout : undefined;
      }, 'the spend of acme to be settled');
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^spend of tenant acme by user, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC\)$/,
      );
      expect(lines[1]).toMatch(/^user +dollars +calls +share$/);
      expect(lines.slice(2, 4).sort()).toEqual([
        expect.stringMatching(/^u_1 +\$0\.50 +1 +25\.0%$/),
        expect.stringMatching(/^u_2 +\$1\.50 +1 +75\.0%$/),
      ]);
      expect(lines.slice(4)).toEqual([
        expect.stringMatching(/^total +\$2\.00 +2$/),
        expect.stringMatching(/^held +\$0\.00$/),
      ]);
    });

    it("prints one user's spend as JSON with --json", async () => {
      const { code, stdout } = await cli([
        'spend',
        '--user',
        'u_1',
        '--tenant',
        'globex',
        '--json',
      ]);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ tenantId: 'globex', by: 'day', totalUsd: 9 });
    });
  });

  it('exits 3 when no budget service runs on the prefix', async () => {
    const { code, stderr } = await tether(['budget', 'caps', '--prefix', uniquePrefix('nobudget')]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/budget is not running on prefix/);
  });
});
