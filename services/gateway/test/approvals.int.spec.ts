import type { NatsConnection, Subscription } from 'nats';
import {
  APPROVER_ROLES,
  type ApprovalDecisionResult,
  type ApprovalQueueItem,
} from '@tether/contracts';
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

const ITEM: ApprovalQueueItem = {
  approvalId: 'apr_refund_1',
  kind: 'approval',
  tenantId: 'acme',
  runId: 'run_01JDQ7ZK3V9W2M4N6P8R0T2V4X',
  callId: 'call_1_0',
  agent: 'refund-agent',
  tool: 'issue_refund',
  tier: 2,
  risk: 'high',
  args: { orderId: '1044', amount: 120 },
  requestedBy: 'u_88',
  context: { step: 1 },
  status: 'pending',
  quorum: 1,
  votes: [],
  onExpiry: 'deny',
  expiresAt: '2030-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
};

/** How the fake approval service refuses a decision on these approvals (the real one decides why). */
const REFUSALS: Record<string, { name: string; code?: string; message: string }> = {
  apr_own_run: {
    name: 'ForbiddenError',
    code: 'forbidden',
    message: 'u_12 may not approve their own run',
  },
  apr_decided: {
    name: 'IllegalStateError',
    code: 'illegal_state',
    message: 'apr_decided was already granted',
  },
  apr_bad_args: {
    name: 'ValidationError',
    code: 'validation_failed',
    message: 'editedArgs: amount must be a number',
  },
  apr_broken: {
    name: 'TypeError',
    message: 'cannot read properties of undefined (reading "votes") at /srv/approval.js:12',
  },
};

/**
 * A stand-in for the approval service on the real NATS, answering `<P>.svc.approval.<op>` as
 * service-kit's transport does (`{ ok, result }` / `{ ok: false, error }`). It knows one approval
 * of tenant acme, and holds tenants apart the way the contract says the real one does.
 */
function approvalResponder(nc: NatsConnection, prefix: string, received: Received[]): Subscription {
  const answer = (op: string, body: Record<string, unknown>): StandInAnswer | undefined => {
    const id = String(body.approvalId ?? '');
    if (id === 'apr_slow') return undefined; // never answers
    if (op === 'list')
      return {
        ok: true,
        result: { items: body.tenantId === 'acme' ? [ITEM] : [], nextCursor: 'c2' },
      };
    if (REFUSALS[id]) return { ok: false, error: REFUSALS[id] };
    if (id !== ITEM.approvalId || body.tenantId !== ITEM.tenantId)
      return {
        ok: false,
        error: { name: 'NotFoundError', code: 'not_found', message: `approval ${id} not found` },
      };
    if (op === 'get') return { ok: true, result: ITEM };
    const roles = body.roles as string[];
    if (!roles.some((r) => APPROVER_ROLES.includes(r)))
      return {
        ok: false,
        error: {
          name: 'ForbiddenError',
          code: 'forbidden',
          message: `${String(body.approverId)} holds no approver role`,
        },
      };
    const result: ApprovalDecisionResult = {
      approvalId: id,
      status: body.decision === 'approve' ? 'granted' : 'denied',
      approvals: 1,
      quorum: 1,
    };
    return { ok: true, result };
  };
  return serviceStandIn(nc, prefix, 'approval', received, answer);
}

describe('approval endpoints', () => {
  let gw: TestGateway;
  let nc: NatsConnection;
  let responder: Subscription;
  const received: Received[] = [];
  let keys: Record<string, string> = {};
  const lastRequest = () => received.at(-1)!;

  beforeAll(async () => {
    gw = await startGateway('gwapprovals', { TETHER_GATEWAY_SERVICE_TIMEOUT_MS: '300' });
    nc = await connectTestNats('approval-stand-in');
    responder = approvalResponder(nc, gw.prefix, received);
    await nc.flush();
    keys = await createKeys(gw, {
      approver: ['acme', 'u_12', ['approver', 'user']],
      operator: ['acme', 'u_13', ['operator']],
      admin: ['acme', 'u_14', ['admin']],
      user: ['acme', 'u_15', ['user']],
      otherApprover: ['globex', 'u_16', ['approver']],
    });
  });
  afterAll(async () => {
    responder?.unsubscribe();
    await nc?.close();
    await gw?.stop();
  });

  describe('GET /v1/approvals', () => {
    it.each(['approver', 'operator', 'admin'])(
      'lists the queue for an %s, in their tenant, with the filters given',
      async (who) => {
        const res = await gw.http(
          'GET',
          `/v1/approvals?status=pending&kind=approval&runId=${ITEM.runId}&limit=20&cursor=c1`,
          {
            key: keys[who],
          },
        );
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ items: [ITEM], nextCursor: 'c2' });
        expect(lastRequest()).toEqual({
          op: 'list',
          body: {
            tenantId: 'acme',
            status: 'pending',
            kind: 'approval',
            runId: ITEM.runId,
            limit: 20,
            cursor: 'c1',
          },
        });
      },
    );

    it("shows another tenant's approver only their own tenant's queue", async () => {
      const res = await gw.http('GET', '/v1/approvals', { key: keys.otherApprover });
      expect(res.body).toEqual({ items: [], nextCursor: 'c2' });
      expect(lastRequest().body).toEqual({ tenantId: 'globex' });
    });

    it('refuses unknown filters and values out of range with 400, without asking the approval service', async () => {
      const before = received.length;
      for (const query of [
        'status=maybe',
        'limit=0',
        'limit=201',
        'limit=ten',
        'runId=run_a.b',
        'tenantId=globex',
      ]) {
        const res = await gw.http('GET', `/v1/approvals?${query}`, { key: keys.approver });
        expectProblem(res, 400, 'validation_failed');
      }
      expect(received.length).toBe(before);
    });
  });

  describe('GET /v1/approvals/:approvalId', () => {
    it('answers the item', async () => {
      const res = await gw.http('GET', `/v1/approvals/${ITEM.approvalId}`, { key: keys.operator });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(ITEM);
      expect(lastRequest()).toEqual({
        op: 'get',
        body: { tenantId: 'acme', approvalId: ITEM.approvalId },
      });
    });

    it("answers 404 for another tenant's approval, never 403", async () => {
      const res = await gw.http('GET', `/v1/approvals/${ITEM.approvalId}`, {
        key: keys.otherApprover,
      });
      expectProblem(res, 404, 'not_found');
      expect(lastRequest().body).toEqual({ tenantId: 'globex', approvalId: ITEM.approvalId });
    });

    it('refuses a malformed id with 400', async () => {
      expectProblem(
        await gw.http('GET', '/v1/approvals/not-an-id', { key: keys.operator }),
        400,
        'validation_failed',
      );
    });
  });

  describe('POST /v1/approvals/:approvalId/decision', () => {
    const decide = (who: string, approvalId: string, body: unknown) =>
      gw.http('POST', `/v1/approvals/${approvalId}/decision`, { key: keys[who], body });

    it('decides as the key: its tenant, its subject as approver, its roles', async () => {
      const res = await decide('approver', ITEM.approvalId, {
        decision: 'approve',
        reason: 'checked the order',
        editedArgs: { orderId: '1044', amount: 100 },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        approvalId: ITEM.approvalId,
        status: 'granted',
        approvals: 1,
        quorum: 1,
      });
      expect(lastRequest()).toEqual({
        op: 'decide',
        body: {
          tenantId: 'acme',
          approvalId: ITEM.approvalId,
          decision: 'approve',
          approverId: 'u_12',
          roles: ['approver', 'user'],
          reason: 'checked the order',
          editedArgs: { orderId: '1044', amount: 100 },
        },
      });
    });

    it('lets an admin deny', async () => {
      const res = await decide('admin', ITEM.approvalId, { decision: 'deny' });
      expect(res.body).toMatchObject({ status: 'denied' });
      expect(lastRequest().body).toEqual({
        tenantId: 'acme',
        approvalId: ITEM.approvalId,
        decision: 'deny',
        approverId: 'u_14',
        roles: ['admin'],
      });
    });

    it.each([
      ['operator', 'u_13', ['operator']],
      ['user', 'u_15', ['user']],
    ])(
      'forwards the decision of a key without an approver role (%s): the approval service refuses it (and audits it), 403',
      async (who, subject, roles) => {
        const res = await decide(who, ITEM.approvalId, { decision: 'approve' });
        expectProblem(res, 403, 'forbidden');
        expect(res.body.detail).toBe(`${subject} holds no approver role`);
        expect(lastRequest()).toEqual({
          op: 'decide',
          body: {
            tenantId: 'acme',
            approvalId: ITEM.approvalId,
            decision: 'approve',
            approverId: subject,
            roles,
          },
        });
      },
    );

    it('refuses a body that names the approver, roles or tenant itself, or a bad decision, with 400', async () => {
      for (const body of [
        { decision: 'approve', approverId: 'u_boss' },
        { decision: 'approve', roles: ['admin'] },
        { decision: 'approve', tenantId: 'globex' },
        { decision: 'maybe' },
        { decision: 'approve', reason: 'x'.repeat(2001) },
        { decision: 'approve', editedArgs: 'amount=1' },
        {},
      ]) {
        const res = await decide('approver', ITEM.approvalId, body);
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.problems).toEqual(expect.any(Array));
      }
    });

    it.each([
      ['another tenant', 'otherApprover', ITEM.approvalId, 404, 'not_found'],
      ["the approver's own run (forbidden)", 'approver', 'apr_own_run', 403, 'forbidden'],
      [
        'an approval already decided (illegal_state)',
        'approver',
        'apr_decided',
        409,
        'illegal_state',
      ],
      [
        'edited arguments the tool refuses (validation_failed)',
        'approver',
        'apr_bad_args',
        422,
        'validation_failed',
      ],
    ])('maps a refusal for %s to its problem', async (_what, who, approvalId, status, code) => {
      const res = await decide(who, approvalId, { decision: 'approve' });
      expectProblem(res, status, code);
      expect(res.body.detail).toBe(
        REFUSALS[approvalId]?.message ?? `approval ${approvalId} not found`,
      );
    });

    it("answers 502 without the service's internals when it fails unexpectedly", async () => {
      const res = await decide('approver', 'apr_broken', { decision: 'approve' });
      expectProblem(res, 502, 'upstream_error');
      expect(JSON.stringify(res.body)).not.toMatch(/approval\.js|votes/);
    });

    it('answers 503 when the approval service does not answer in time', async () => {
      const res = await decide('approver', 'apr_slow', { decision: 'approve' });
      expectProblem(res, 503, 'service_unavailable');
      expect(res.body.detail).toMatch(/approval service/);
    });
  });

  it('answers 503 when no approval service runs on the prefix', async () => {
    responder.unsubscribe();
    await nc.flush();
    const started = Date.now();
    expectProblem(
      await gw.http('GET', '/v1/approvals', { key: keys.operator }),
      503,
      'service_unavailable',
    );
    expectProblem(
      await gw.http('POST', `/v1/approvals/${ITEM.approvalId}/decision`, {
        key: keys.approver,
        body: { decision: 'approve' },
      }),
      503,
      'service_unavailable',
    );
    // No responders is known at once: nobody waits for the timeout.
    // Waiting out the 300 ms service timeout twice would take at least 600 ms.
    expect(Date.now() - started).toBeLessThan(600);
  });
});
