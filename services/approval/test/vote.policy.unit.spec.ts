import type { ApprovalVote } from '@tether/contracts';
import { castVote, type Ballot, type Vote } from '../src/domain/vote.policy';

const NOW = '2026-11-21T10:00:00.000Z';
const ballot = (over: Partial<Ballot> = {}): Ballot => ({
  kind: 'approval',
  status: 'pending',
  requestedBy: 'u_88',
  quorum: 1,
  votes: [],
  expiresAt: '2026-11-22T10:00:00.000Z',
  ...over,
});
const vote = (over: Partial<Vote> = {}): Vote => ({
  approverId: 'u_12',
  roles: ['approver'],
  decision: 'approve',
  time: NOW,
  ...over,
});
const approved = (approverId: string, extra: Partial<ApprovalVote> = {}): ApprovalVote => ({
  approverId,
  decision: 'approve',
  time: NOW,
  ...extra,
});

describe('castVote', () => {
  it('grants on one approval when the quorum is one', () => {
    expect(castVote(ballot(), vote({ reason: 'ok' }))).toEqual({
      outcome: 'granted',
      votes: [{ approverId: 'u_12', decision: 'approve', time: NOW, reason: 'ok' }],
    });
  });

  it('accepts admins as approvers', () => {
    expect(castVote(ballot(), vote({ roles: ['admin'] })).outcome).toBe('granted');
  });

  it.each([[[]], [['user']], [['operator']], [['approver-ish']]])(
    'refuses a voter without an approver role (%j)',
    (roles) => {
      expect(castVote(ballot(), vote({ roles }))).toEqual({
        outcome: 'refused',
        code: 'forbidden',
        message: expect.stringContaining('no approver role'),
      });
    },
  );

  it('refuses the user the run acts for, even with an approver role', () => {
    expect(castVote(ballot(), vote({ approverId: 'u_88', roles: ['approver', 'admin'] }))).toEqual({
      outcome: 'refused',
      code: 'forbidden',
      message: expect.stringContaining('for themselves'),
    });
  });

  it('refuses a vote on an approval already decided, expired or cancelled', () => {
    for (const status of ['granted', 'denied', 'expired', 'cancelled'] as const) {
      expect(castVote(ballot({ status }), vote())).toMatchObject({
        outcome: 'refused',
        code: 'illegal_state',
      });
    }
  });

  it('refuses a vote cast at or after the expiry, before the sweep has caught up', () => {
    expect(castVote(ballot({ expiresAt: NOW }), vote())).toMatchObject({
      outcome: 'refused',
      code: 'illegal_state',
      message: expect.stringContaining('expired'),
    });
  });

  it('denies on the first denial, whatever the quorum and earlier approvals', () => {
    const b = ballot({ quorum: 3, votes: [approved('u_1'), approved('u_2')] });
    const out = castVote(b, vote({ decision: 'deny', reason: 'no' }));
    expect(out.outcome).toBe('denied');
    expect(out).toMatchObject({ votes: [{}, {}, { decision: 'deny', reason: 'no' }] });
  });

  it('counts distinct approvers towards the quorum', () => {
    const first = castVote(ballot({ quorum: 2 }), vote({ approverId: 'u_1' }));
    expect(first).toMatchObject({ outcome: 'counted', approvals: 1 });
    const second = castVote(
      ballot({ quorum: 2, votes: [approved('u_1')] }),
      vote({ approverId: 'u_2' }),
    );
    expect(second).toMatchObject({ outcome: 'granted' });
  });

  it('never counts one approver twice: the same vote again is a repeat, not a second approval', () => {
    const b = ballot({ quorum: 2, votes: [approved('u_1')] });
    expect(castVote(b, vote({ approverId: 'u_1' }))).toEqual({ outcome: 'repeated' });
  });

  it('treats a redelivered final vote as a repeat even after the approval was decided', () => {
    const b = ballot({ status: 'granted', votes: [approved('u_12')] });
    expect(castVote(b, vote())).toEqual({ outcome: 'repeated' });
  });

  it('lets an approver change an approval into a denial', () => {
    const b = ballot({ quorum: 2, votes: [approved('u_1')] });
    expect(castVote(b, vote({ approverId: 'u_1', decision: 'deny' })).outcome).toBe('denied');
  });

  it('grants with edited arguments', () => {
    expect(castVote(ballot(), vote({ editedArgs: { amount: 100 } }))).toMatchObject({
      outcome: 'granted',
      editedArgs: { amount: 100 },
      votes: [{ approverId: 'u_12', edited: true }],
    });
  });

  it('supersedes approvals given to other arguments when an approver edits them', () => {
    const b = ballot({ quorum: 2, votes: [approved('u_1')] });
    const out = castVote(b, vote({ approverId: 'u_2', editedArgs: { amount: 50 } }));
    expect(out).toMatchObject({ outcome: 'counted', approvals: 1, editedArgs: { amount: 50 } });
    const votes = (out as { votes: ApprovalVote[] }).votes;
    expect(votes[0]).toMatchObject({ approverId: 'u_1', superseded: true });
    // u_1 approves again, now the edited arguments: the quorum is met.
    const again = castVote(
      ballot({ quorum: 2, votes, editedArgs: { amount: 50 } }),
      vote({ approverId: 'u_1' }),
    );
    expect(again).toMatchObject({ outcome: 'granted', editedArgs: { amount: 50 } });
  });

  it('refuses edits on a denial', () => {
    expect(castVote(ballot(), vote({ decision: 'deny', editedArgs: { a: 1 } }))).toMatchObject({
      outcome: 'refused',
      code: 'illegal_state',
    });
  });

  it('resolves a review or a draft, with the same role and self rules and no edits', () => {
    for (const kind of ['review', 'draft'] as const) {
      expect(castVote(ballot({ kind, status: 'open' }), vote()).outcome).toBe('resolved');
      expect(
        castVote(ballot({ kind, status: 'open' }), vote({ approverId: 'u_88' })),
      ).toMatchObject({ code: 'forbidden' });
      expect(
        castVote(ballot({ kind, status: 'open' }), vote({ editedArgs: { a: 1 } })),
      ).toMatchObject({ code: 'illegal_state' });
      expect(castVote(ballot({ kind, status: 'done' }), vote({ approverId: 'u_9' }))).toMatchObject(
        { code: 'illegal_state' },
      );
    }
  });
});
