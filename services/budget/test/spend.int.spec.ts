import { BudgetOp, type SpendReport } from '@tether/contracts';
import { aModelResponded, aToolCompleted } from '@tether/testing';
import {
  aReservation,
  ledgerRows,
  startBudget,
  uniqueId,
  type BudgetUnderTest,
} from './budget.fixtures';

describe('Budget spend', () => {
  let sut: BudgetUnderTest;
  const acme = uniqueId('acme');
  const globex = uniqueId('globex');

  interface Call {
    at: string;
    tenantId?: string;
    userId: string;
    agent: string;
    item: string;
    costUsd?: number;
    heldUsd?: number;
  }

  /** Reserves at `at` and, unless only held, settles the call from the log. */
  async function call(c: Call): Promise<void> {
    sut.clock.set(c.at);
    const reservationId = uniqueId('res');
    const runId = uniqueId('run');
    const tenantId = c.tenantId ?? acme;
    const kind = c.item.includes(':') ? 'model' : 'tool';
    await sut.ask(
      BudgetOp.Reserve,
      aReservation({
        tenantId,
        runId,
        reservationId,
        userId: c.userId,
        agent: c.agent,
        item: c.item,
        kind,
        amountUsd: c.heldUsd ?? c.costUsd,
      }),
    );
    if (c.costUsd === undefined) return;
    const run = { tenantId, runId, time: c.at };
    if (kind === 'model')
      await sut.append(
        'model.responded',
        aModelResponded(1, { costUsd: c.costUsd, reservationId }),
        run,
      );
    else
      await sut.append(
        'tool.completed',
        aToolCompleted('c1', { tool: c.item, costUsd: c.costUsd, reservationId }),
        run,
      );
  }

  beforeAll(async () => {
    sut = await startBudget('budgetspend', '2026-11-21T10:00:00.000Z');
    const calls: Call[] = [
      {
        at: '2026-11-01T09:00:00Z',
        userId: 'u_1',
        agent: 'support',
        item: 'openai:gpt-4o',
        costUsd: 1.5,
      },
      {
        at: '2026-11-01T23:59:00Z',
        userId: 'u_2',
        agent: 'support',
        item: 'openai:gpt-4o-mini',
        costUsd: 0.25,
      },
      {
        at: '2026-11-02T00:00:00Z',
        userId: 'u_1',
        agent: 'sales',
        item: 'anthropic:claude-3',
        costUsd: 2,
      },
      {
        at: '2026-11-20T12:00:00Z',
        userId: 'u_2',
        agent: 'sales',
        item: 'lookup_order',
        costUsd: 0.125,
      },
      {
        at: '2026-11-21T08:00:00Z',
        userId: 'u_1',
        agent: 'support',
        item: 'openai:gpt-4o',
        costUsd: 0.5,
      },
      {
        at: '2026-11-21T09:00:00Z',
        userId: 'u_2',
        agent: 'support',
        item: 'openai:gpt-4o',
        heldUsd: 0.75,
      },
      {
        at: '2026-10-15T09:00:00Z',
        userId: 'u_1',
        agent: 'support',
        item: 'openai:gpt-4o',
        costUsd: 9,
      },
      {
        at: '2026-11-21T09:00:00Z',
        tenantId: globex,
        userId: 'u_1',
        agent: 'support',
        item: 'openai:gpt-4o',
        costUsd: 100,
      },
    ];
    for (const c of calls) await call(c);
    sut.clock.set('2026-11-21T10:00:00.000Z');
    await ledgerRows(sut, 7, `status = 'settled'`);
  });
  afterAll(async () => {
    await sut?.stop();
  });

  const report = (q: Record<string, unknown>) =>
    sut.ask<SpendReport>(BudgetOp.Spend, { tenantId: acme, ...q });
  const rowsOf = (r: SpendReport) => r.rows.map((row) => [row.key, row.spentUsd, row.calls]);

  it('totals one tenant over the last 30 days by default, with what is held', async () => {
    const r = await report({ by: 'tenant' });
    expect(r).toEqual({
      tenantId: acme,
      by: 'tenant',
      from: '2026-10-22',
      to: '2026-11-21',
      totalUsd: 4.375,
      heldUsd: 0.75,
      rows: [{ key: acme, spentUsd: 4.375, calls: 5 }],
    });
  });

  it('groups by user and by agent, highest spend first', async () => {
    expect(rowsOf(await report({ by: 'user' }))).toEqual([
      ['u_1', 4, 3],
      ['u_2', 0.375, 2],
    ]);
    expect(rowsOf(await report({ by: 'agent' }))).toEqual([
      ['support', 2.25, 3],
      ['sales', 2.125, 2],
    ]);
  });

  it('groups by model, tools by their name', async () => {
    expect(rowsOf(await report({ by: 'model' }))).toEqual([
      ['anthropic:claude-3', 2, 1],
      ['openai:gpt-4o', 2, 2],
      ['openai:gpt-4o-mini', 0.25, 1],
      ['lookup_order', 0.125, 1],
    ]);
  });

  it('groups by UTC day in date order, the day a call was reserved', async () => {
    expect(rowsOf(await report({ by: 'day' }))).toEqual([
      ['2026-11-01', 1.75, 2],
      ['2026-11-02', 2, 1],
      ['2026-11-20', 0.125, 1],
      ['2026-11-21', 0.5, 1],
    ]);
  });

  it('keeps to the days asked for', async () => {
    const r = await report({ by: 'day', from: '2026-10-01', to: '2026-11-01' });
    expect(rowsOf(r)).toEqual([
      ['2026-10-15', 9, 1],
      ['2026-11-01', 1.75, 2],
    ]);
    expect(r).toMatchObject({ totalUsd: 10.75, heldUsd: 0 });
  });

  it('filters by user, agent and model', async () => {
    expect(rowsOf(await report({ by: 'model', userId: 'u_1' }))).toEqual([
      ['anthropic:claude-3', 2, 1],
      ['openai:gpt-4o', 2, 2],
    ]);
    expect(await report({ by: 'user', agent: 'support', model: 'openai:gpt-4o' })).toMatchObject({
      totalUsd: 2,
      heldUsd: 0.75,
      rows: [{ key: 'u_1', spentUsd: 2, calls: 2 }],
    });
    expect(await report({ by: 'user', userId: 'nobody' })).toMatchObject({
      totalUsd: 0,
      heldUsd: 0,
      rows: [],
    });
  });

  it("never shows another tenant's spend", async () => {
    const mine = await report({ by: 'user' });
    expect(mine.totalUsd).toBe(4.375);
    const theirs = await sut.ask<SpendReport>(BudgetOp.Spend, { tenantId: globex, by: 'tenant' });
    expect(theirs.rows).toEqual([{ key: globex, spentUsd: 100, calls: 1 }]);
  });
});
