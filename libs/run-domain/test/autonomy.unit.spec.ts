import { aRelease, anEvent } from '@tether/testing';
import type { AgentSpec, ToolSpec } from '@tether/contracts';
import {
  DRAFTED,
  approvalTerms,
  autonomyOf,
  callPolicy,
  deadlineOf,
  decide,
  fold,
  nextAction,
  sampledForReview,
  type ActiveRun,
} from '../src';
import { requestModel, respond, startedDriver } from './run.fixtures';

const read: ToolSpec = { name: 'lookup_order', tier: 0 };
const write: ToolSpec = { name: 'draft_refund_note', tier: 1 };
const refund: ToolSpec = { name: 'issue_refund', tier: 2 };
const allowAll = [{ role: '*', tool: '*', resource: '*', effect: 'allow' as const }];
const agent = (over: Partial<AgentSpec> = {}): AgentSpec =>
  ({ name: 'a', tools: [read, write, refund], permissions: allowAll, ...over }) as AgentSpec;

describe('autonomyOf', () => {
  it('applies the agent level to calls with effects and leaves reads free', () => {
    expect(autonomyOf(agent({ autonomy: 2 }), read)).toBe(0);
    expect(autonomyOf(agent({ autonomy: 2 }), write)).toBe(2);
    expect(autonomyOf(agent({ autonomy: 3 }), refund)).toBe(3);
    expect(autonomyOf(agent(), write)).toBe(0);
  });

  it('lets a tool override the agent, reads included', () => {
    expect(autonomyOf(agent({ autonomy: 0 }), { ...read, autonomy: 2 })).toBe(2);
    expect(autonomyOf(agent({ autonomy: 3 }), { ...write, autonomy: 0 })).toBe(0);
  });
});

describe('callPolicy', () => {
  it('asks at autonomy 2 and says why', () => {
    const p = callPolicy(agent({ autonomy: 2 }), ['user'], write, {});
    expect(p).toMatchObject({ effect: 'ask', needsApproval: true, draft: false, autonomy: 2 });
    expect(p.rule).toContain('autonomy 2 (agent) asks');
    expect(callPolicy(agent(), ['user'], { ...write, autonomy: 2 }, {}).rule).toContain(
      'autonomy 2 (tool draft_refund_note)',
    );
  });

  it('drafts at autonomy 3, tier 2 included, and never asks for a draft', () => {
    for (const tool of [write, refund]) {
      expect(callPolicy(agent({ autonomy: 3 }), ['user'], tool, {})).toMatchObject({
        draft: true,
        needsApproval: false,
      });
    }
  });

  it('asks for tier 2 at autonomy 0 and 1: no level lets an irreversible call run unasked', () => {
    for (const autonomy of [0, 1] as const) {
      expect(callPolicy(agent({ autonomy }), ['user'], refund, {})).toMatchObject({
        effect: 'ask',
        needsApproval: true,
        draft: false,
      });
    }
  });

  it('keeps a denial a denial at every level', () => {
    const denyAll = [{ role: '*', tool: '*', resource: '*', effect: 'deny' as const }];
    for (const autonomy of [0, 1, 2, 3] as const) {
      expect(
        callPolicy(agent({ autonomy, permissions: denyAll }), ['user'], write, {}),
      ).toMatchObject({ effect: 'deny', needsApproval: false, draft: false });
    }
  });
});

describe('sampledForReview', () => {
  it('samples none at 0, all at 1, and about the share in between, the same way every time', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `call_${i}_0`);
    expect(ids.some((id) => sampledForReview('run_x', id, 0))).toBe(false);
    expect(ids.every((id) => sampledForReview('run_x', id, 1))).toBe(true);
    const picked = ids.filter((id) => sampledForReview('run_x', id, 0.25));
    expect(picked.length / ids.length).toBeGreaterThan(0.22);
    expect(picked.length / ids.length).toBeLessThan(0.28);
    expect(ids.filter((id) => sampledForReview('run_x', id, 0.25))).toEqual(picked);
  });
});

describe('approvalTerms', () => {
  it('takes the tool, then the agent, then one approver for 24 h with expiry denying', () => {
    expect(approvalTerms(agent(), refund)).toEqual({
      quorum: 1,
      ttlMs: 86_400_000,
      onExpiry: 'deny',
      risk: 'high',
    });
    const a = agent({ approval: { quorum: 2, ttlMs: 60_000, onExpiry: 'escalate' } });
    expect(approvalTerms(a, write)).toEqual({
      quorum: 2,
      ttlMs: 60_000,
      onExpiry: 'escalate',
      risk: 'medium',
    });
    expect(approvalTerms(a, { ...write, risk: 'high', approval: { quorum: 3 } })).toMatchObject({
      quorum: 3,
      ttlMs: 60_000,
      risk: 'high',
    });
  });
});

function runOf(spec: Partial<AgentSpec>, tools: ToolSpec[] = [read, write, refund]) {
  const release = aRelease({ tools, spec });
  const d = startedDriver({}, release);
  d.do(requestModel);
  return d;
}

describe('autonomy in decide', () => {
  it('autonomy 2 parks a tier 1 call for a human from the moment it is requested', () => {
    const d = runOf({ autonomy: 2 });
    const events = d.do(respond({ toolCalls: [{ name: 'draft_refund_note', args: {} }] }));
    expect(events[1]).toMatchObject({
      type: 'tool.requested',
      data: { permission: 'ask', autonomy: 2 },
    });
    expect(d.state.status).toBe('waiting_for_approval');
    expect(nextAction(d.state)).toMatchObject({ kind: 'request_approval' });
  });

  it('autonomy 3 drafts the call: never requested to run, the model is told it was not done', () => {
    const d = runOf({ autonomy: 3 });
    const events = d.do(respond({ toolCalls: [{ name: 'issue_refund', args: { amount: 5 } }] }));
    expect(events.map((e) => e.type)).toEqual([
      'model.responded',
      'tool.requested',
      'tool.drafted',
    ]);
    expect(events[2]).toEqual({
      type: 'tool.drafted',
      data: {
        draftId: 'drf_01JTEST0000000000000000000_call_1_0',
        callId: 'call_1_0',
        tool: 'issue_refund',
        tier: 2,
        args: { amount: 5 },
        requestedBy: 'u_88',
        agent: 'test-agent',
      },
    });
    expect(d.state.pendingCalls).toEqual([]);
    expect(d.state.transcript.at(-1)).toMatchObject({ role: 'tool', content: DRAFTED });
    expect(nextAction(d.state)).toMatchObject({ kind: 'call_model', step: 2 });
  });

  it('autonomy 1 acts, and asks for a review of the sampled share', () => {
    const all = runOf({ autonomy: 1, review: { share: 1 } });
    const events = all.do(respond({ toolCalls: [{ name: 'draft_refund_note', args: {} }] }));
    expect(events.map((e) => e.type)).toEqual([
      'model.responded',
      'tool.requested',
      'review.requested',
    ]);
    expect(all.state.status).toBe('waiting_for_tool');
    expect(nextAction(all.state)).toMatchObject({ kind: 'execute_tool' });

    const none = runOf({ autonomy: 1, review: { share: 0 } });
    expect(
      none.do(respond({ toolCalls: [{ name: 'draft_refund_note', args: {} }] })).map((e) => e.type),
    ).toEqual(['model.responded', 'tool.requested']);
  });

  it('asks with the terms of the tool and context for the approver', () => {
    const d = runOf({ approval: { quorum: 2, ttlMs: 60_000, onExpiry: 'escalate' } });
    d.do(respond({ text: 'Refunding as asked.', toolCalls: [{ name: 'issue_refund', args: {} }] }));
    const [requested] = d.do({ type: 'RequestApproval', callId: 'call_1_0' });
    expect(requested).toMatchObject({
      type: 'approval.requested',
      data: {
        quorum: 2,
        onExpiry: 'escalate',
        risk: 'high',
        context: { step: 1, reasoning: 'Refunding as asked.', input: 'Where is order 1042?' },
      },
    });
  });
});

describe('waiting for a human', () => {
  /** A run parked on an approval at t=4 s (events are one second apart). */
  function parked() {
    const d = runOf({});
    d.do(respond({ toolCalls: [{ name: 'issue_refund', args: {} }] }));
    d.do({ type: 'RequestApproval', callId: 'call_1_0' });
    return d;
  }
  const at = (seq: number) => ({ seq });

  it('stops the run clock while it waits and moves the deadline by the wait afterwards', () => {
    const d = parked();
    const state = d.state as ActiveRun;
    expect(state.status).toBe('waiting_for_approval');
    expect(deadlineOf(state)).toBeUndefined();
    const hourLater = new Date(Date.parse(state.startedAt) + 3_600_000).toISOString();
    expect(decide({ type: 'CheckDeadline' }, state, { now: hourLater })).toEqual([]);

    const granted = anEvent(
      'approval.granted',
      { approvalId: 'apr_x', callId: 'call_1_0', approverId: 'u_12' },
      { ...at(3604), runId: state.runId },
    );
    const after = fold([granted], state) as ActiveRun;
    // Parked at 4 s, granted at 3604 s: 3600 s of waiting do not count.
    expect(after.approvalWaitMs).toBe(3_600_000);
    expect(after.waitingSince).toBeUndefined();
    expect(deadlineOf(after)).toBe(
      new Date(Date.parse(after.startedAt) + after.limits.timeoutMs + 3_600_000).toISOString(),
    );
    expect(decide({ type: 'CheckDeadline' }, after, { now: hourLater })).toEqual([]);
  });

  it('hands the run to a human when an approval expires on an agent that escalates', () => {
    const d = parked();
    d.record({
      type: 'approval.expired',
      data: { approvalId: 'apr_x', callId: 'call_1_0', action: 'escalate' },
    });
    expect(nextAction(d.state)).toEqual({
      kind: 'escalate',
      reason: 'approval_expired',
      callId: 'call_1_0',
      tool: 'issue_refund',
    });
    const events = d.do({ type: 'Escalate' });
    expect(events.map((e) => e.type)).toEqual(['run.escalated', 'run.failed']);
    expect(events[0]).toMatchObject({
      data: { reason: 'approval_expired', callId: 'call_1_0', context: { tool: 'issue_refund' } },
    });
    expect(events[1]).toMatchObject({ data: { outcome: 'partial', reason: 'approval_expired' } });
    expect(d.state.status).toBe('failed');
  });

  it('denies the call on an expiry that does not escalate, and the model goes on', () => {
    const d = parked();
    d.record({ type: 'approval.expired', data: { approvalId: 'apr_x', callId: 'call_1_0' } });
    expect(d.state.handover).toBeUndefined();
    expect(nextAction(d.state)).toMatchObject({ kind: 'call_model' });
  });
});
