import { EventStore, toEnvelopes } from '@tether/event-store';
import { detailedRun } from '@tether/testing';
import type { RunningService } from '@tether/service-kit';
import type { IsolatedService } from '../../../libs/testing/src/service.helper';
import { DETAIL_TABLES } from '../src/domain/run-details.projection';
import {
  askTraceStore,
  projectedAll,
  startTraceStore,
  type TraceStoreAsk,
} from './trace-store.harness';

const RUNS = 1000;
const TABLES = ['trace_events', 'trace_runs', ...DETAIL_TABLES.map((t) => t.table)];

describe('trace-store rebuild', () => {
  let ts: IsolatedService;
  let prefix: string;
  let svc: RunningService;
  let ask: TraceStoreAsk;

  beforeAll(async () => {
    ts = await startTraceStore('rebuild');
    ({ prefix, sut: svc } = ts);
    ask = askTraceStore(ts);
  });
  afterAll(() => ts?.stop());

  const caughtUp = (what: string) => projectedAll(ask, what, 60_000);

  /** Every projected table, in a stable order. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const table of TABLES)
      out[table] = await svc.dataSource.query(`SELECT * FROM ${table} ORDER BY 1, 2, 3, 4`);
    return out;
  }

  it(`drops and replays ${RUNS} runs into identical tables`, async () => {
    const store = new EventStore(svc.nc, prefix);
    const full = detailedRun('x').length;
    // Every stage a run can be caught in: run k holds the first 1 + (k mod n) events of a run
    // that touches every table, so finished and unfinished runs, in three tenants.
    const runs = Array.from({ length: RUNS }, (_, k) => ({
      tenantId: ['acme', 'globex', 'initech'][k % 3],
      runId: `run_rb${String(k).padStart(4, '0')}`,
      length: 1 + (k % full),
    }));
    for (let i = 0; i < runs.length; i += 50)
      await Promise.all(
        runs.slice(i, i + 50).map(({ tenantId, runId, length }) =>
          store.appendAll(
            toEnvelopes(detailedRun(runId).slice(0, length), {
              runId,
              tenantId,
              source: 'test@0',
            }),
            0,
          ),
        ),
      );
    await caughtUp('first projection');
    const before = await snapshot();
    expect(before.trace_runs).toHaveLength(RUNS);
    for (const { table } of DETAIL_TABLES)
      expect([table, before[table].length > 0]).toEqual([table, true]);

    const { lastSeq } = await ask<{ lastSeq: number }>('rebuild', {}, 30_000);
    expect(lastSeq).toBe(before.trace_events.length);
    await caughtUp('rebuilt');
    const after = await snapshot();
    for (const table of TABLES) expect([table, after[table]]).toEqual([table, before[table]]);
  });
});
