import { NoticeAudience, streamNames, subjects } from '@tether/contracts';
import { EventStore, toEnvelopes } from '@tether/event-store';
import { detailedRun, eventually } from '@tether/testing';
import type { IsolatedService } from '../../../libs/testing/src/service.helper';
import { startTraceStore } from './trace-store.harness';

describe('trace-store: notices for the services that act on a few events', () => {
  let ts: IsolatedService;

  beforeAll(async () => {
    ts = await startTraceStore('notices');
  });
  afterAll(() => ts?.stop());

  it('copies what the budget ledger and the approval queue act on, as it projects the log', async () => {
    const { nc } = ts.sut;
    const runs = ['run_ntc1', 'run_ntc2'];
    for (const runId of runs)
      await new EventStore(nc, ts.prefix).appendAll(
        toEnvelopes(detailedRun(runId), { runId, tenantId: 'acme', source: 'test@0' }),
        0,
      );
    const jsm = await nc.jetstreamManager();
    const ntc = streamNames(ts.prefix).ntc;
    const count = async (audience: NoticeAudience) =>
      (
        await jsm.streams.info(ntc, {
          subjects_filter: subjects.audienceNotices(ts.prefix, audience),
        })
      ).state.subjects ?? {};
    // Per run: 7 for the ledger (its start, 3 paid answers, a denied and a paid tool call, its
    // end) and 2 for the queue (an approval asked for and granted; the run completed, so nothing
    // could be left waiting).
    const budget = await eventually(async () => {
      const c = await count(NoticeAudience.Budget);
      return Object.values(c).reduce((a, b) => a + b, 0) >= 14 ? c : undefined;
    }, 'the ledger notices');
    expect(budget).toEqual(
      Object.fromEntries(
        runs.map((r) => [subjects.notice(ts.prefix, NoticeAudience.Budget, 'acme', r), 7]),
      ),
    );
    expect(await count(NoticeAudience.Approval)).toEqual(
      Object.fromEntries(
        runs.map((r) => [subjects.notice(ts.prefix, NoticeAudience.Approval, 'acme', r), 2]),
      ),
    );
  });
});
