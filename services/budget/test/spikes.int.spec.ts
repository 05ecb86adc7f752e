import { Header, streamNames, subjects, type BudgetSpike } from '@tether/contracts';
import { aModelResponded, eventually } from '@tether/testing';
import { SpikeCheck } from '../src/application/spike-check';
import {
  ledgerRows,
  startBudget,
  uniqueId,
  WebhookReceiver,
  type BudgetUnderTest,
} from './budget.fixtures';

describe('Budget spikes', () => {
  let sut: BudgetUnderTest;
  let hooks: WebhookReceiver;
  let check: () => Promise<BudgetSpike[]>;
  const spiky = uniqueId('spiky');
  const steady = uniqueId('steady');
  const newcomer = uniqueId('new');

  /** Paid calls nobody reserved for, at the given times: the ledger records them as settled. */
  async function paid(tenantId: string, calls: Array<[string, number]>): Promise<void> {
    const runId = uniqueId('run');
    for (const [time, costUsd] of calls)
      await sut.append('model.responded', aModelResponded(1, { costUsd }), {
        tenantId,
        runId,
        time,
      });
  }

  /** A week of history averaging one dollar an hour (168 dollars). */
  const week: Array<[string, number]> = Array.from({ length: 7 }, (_, i) => [
    `2026-11-${String(15 + i).padStart(2, '0')}T06:00:00.000Z`,
    24,
  ]);

  beforeAll(async () => {
    hooks = new WebhookReceiver();
    const url = await hooks.listen();
    sut = await startBudget('budgetspike', '2026-11-21T12:30:00.000Z', {
      TETHER_BUDGET_WEBHOOK_URL: url,
      TETHER_BUDGET_WEBHOOK_SECRET: 'test-secret',
    });
    const spikes = sut.sut.app.get(SpikeCheck);
    check = () => spikes.checkSpikes();
    await paid(spiky, [...week, ['2026-11-21T12:00:00.000Z', 2], ['2026-11-21T12:10:00.000Z', 2]]);
    await paid(steady, [...week, ['2026-11-21T12:00:00.000Z', 2.9]]);
    await paid(newcomer, [['2026-11-21T12:00:00.000Z', 50]]);
    await ledgerRows(sut, 18, `status = 'settled'`);
  });
  afterAll(async () => {
    await sut?.stop();
    await hooks?.close();
  });

  async function recorded(tenantId: string) {
    const jsm = await sut.sut.nc.jetstreamManager();
    const m = await jsm.streams.getMessage(streamNames(sut.prefix).ctl, {
      last_by_subj: subjects.budgetSpikes(sut.prefix, tenantId),
    });
    return {
      msgId: m.header.get(Header.MsgId),
      record: JSON.parse(new TextDecoder().decode(m.data)),
    };
  }

  it('reports an hour above 3 times the trailing hourly average, on _CTL and to the webhook', async () => {
    // Two checks at once, as two instances would: one reports.
    const spikes = (await Promise.all([check(), check()])).flat();
    expect(spikes).toEqual([
      {
        id: `spike_${spiky}_2026-11-21T12`,
        type: 'budget.spike',
        time: '2026-11-21T12:30:00.000Z',
        tenantId: spiky,
        lastHourUsd: 4,
        baselineHourlyUsd: 1,
        multiple: 3,
      },
    ]);
    expect(await recorded(spiky)).toEqual({ msgId: spikes[0].id, record: spikes[0] });
    const hook = await eventually(() => hooks.of('budget.spike')[0], 'the budget.spike webhook');
    expect(hook).toMatchObject({ tenantId: spiky, data: spikes[0] });
  });

  it('reports a tenant once per hour', async () => {
    sut.clock.set('2026-11-21T12:50:00.000Z');
    expect(await check()).toEqual([]);
    expect(hooks.of('budget.spike')).toHaveLength(1);
  });

  it('reports it again in a later hour that is a spike of its own', async () => {
    sut.clock.set('2026-11-21T13:05:00.000Z');
    expect(await check()).toEqual([]);
    await paid(spiky, [['2026-11-21T13:00:00.000Z', 5]]);
    await ledgerRows(sut, 1, `tenant_id = $1 AND settled_at = '2026-11-21T13:00:00Z'`, [spiky]);
    expect(await check()).toMatchObject([
      { id: `spike_${spiky}_2026-11-21T13`, tenantId: spiky, lastHourUsd: 7 },
    ]);
    expect(await sut.sql(`SELECT tenant_id FROM budget_spikes ORDER BY hour`)).toEqual([
      { tenant_id: spiky },
      { tenant_id: spiky },
    ]);
  });
});
