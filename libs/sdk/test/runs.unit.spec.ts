import { newRunView, type RunTimeline } from '@tether/contracts';
import { runsOf, type RunFilters, type TraceRequest } from '../src';

/** A trace-store that answers `reply` and records what it was asked. */
function aTraceStore(reply: unknown) {
  const request = jest.fn(async () => reply);
  return { request, sut: runsOf(request as unknown as TraceRequest, 'acme') };
}

const queued: RunTimeline = {
  run: { ...newRunView('acme', 'run_1'), output: null },
  steps: [],
  modelCalls: [],
  toolCalls: [],
  approvals: [],
  guardrails: [],
};

describe('Runs (client.runs)', () => {
  describe('timeline', () => {
    it("asks run.timeline for the client's tenant and returns the answer", async () => {
      const { request, sut } = aTraceStore(queued);
      expect(await sut.timeline('run_1')).toEqual(queued);
      expect(request).toHaveBeenCalledWith('run.timeline', { tenantId: 'acme', runId: 'run_1' });
    });

    it('refuses an answer whose rows break the contract, naming each problem', async () => {
      const bad = {
        ...queued,
        toolCalls: [{ callId: 'call_1_0', status: 'exploded' }],
        guardrails: undefined,
      };
      await expect(aTraceStore(bad).sut.timeline('run_1')).rejects.toMatchObject({
        name: 'InvalidReplyError',
        op: 'run.timeline',
        problems: expect.arrayContaining([
          'timeline.toolCalls[0].status is missing or malformed',
          'timeline.toolCalls[0].tier is missing or malformed',
          'timeline.guardrails is not a list',
        ]),
      });
      await expect(aTraceStore([]).sut.timeline('run_1')).rejects.toMatchObject({
        problems: ['timeline is not an object'],
      });
    });
  });

  describe('list', () => {
    it('sends the tool filter with the others, and nothing the contract does not name', async () => {
      const { request, sut } = aTraceStore({ items: [] });
      const filters = { tool: 'issue_refund', status: 'failed', tenantId: 'globex' };
      await sut.list(filters as RunFilters);
      expect(request).toHaveBeenCalledWith('run.list', {
        tenantId: 'acme',
        tool: 'issue_refund',
        status: 'failed',
      });
    });
  });
});
