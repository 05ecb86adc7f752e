import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ApprovalQueueItem, TetherEvent } from '@tether/contracts';
import {
  createKeyOverBus,
  expectProblem,
  httpClient,
} from '../../services/gateway/test/gateway.helper';
import type { ToolPack } from '../../services/tool-executor/src/domain/tool-handler';
import { eventually } from '../../libs/testing/src/infra.helper';
import { testAgentsDir } from '../agents-dir';
import { startStack, type TestStack } from '../stack';

/** The bank's API, outside Tether: every wire it was asked to make. */
const wires: Array<{ key: string; to: unknown; amount: unknown }> = [];
const bank: ToolPack = {
  name: 'bank',
  tools: {
    wire_money: async (args, ctx) => {
      wires.push({ key: ctx.idempotencyKey, to: args.to, amount: args.amount });
      return { wired: true };
    },
  },
};

/** The agent of test/integration/approvals.int.spec.ts: one tier-2 wire, then a closing text. */
function agent(name: string, o: { args?: string; memo?: boolean; extra?: string[] } = {}): string {
  return [
    `name: ${name}`,
    'model:',
    '  provider: scripted',
    '  id: scripted-v1',
    '  script:',
    `    - toolCalls: [{ name: wire_money, args: ${o.args ?? "{ to: 'acct-1', amount: 100 }"} }]`,
    "    - text: 'Done.'",
    'instructions: Test agent.',
    'tools:',
    '  - name: wire_money',
    '    tier: 2',
    '    caps: { amount: 500 }',
    '    input:',
    '      type: object',
    `      properties: { to: { type: string }, amount: { type: number }${o.memo ? ', memo: { type: string }' : ''} }`,
    '      required: [to, amount]',
    '      additionalProperties: false',
    ...(o.extra ?? []),
    "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]",
  ].join('\n');
}

describe('approvals over HTTP: the gateway in front of the approval service, the orchestrator and the tool-executor', () => {
  let stack: TestStack;
  let baseUrl: string;
  const agents = testAgentsDir();
  /** API keys by who holds them. */
  const keys: Record<'approver' | 'requester' | 'user' | 'otherTenant', string> = {
    approver: '',
    requester: '',
    user: '',
    otherTenant: '',
  };
  let runs = 0;

  beforeAll(async () => {
    writeFileSync(join(agents.dir, 'wire-agent.yaml'), agent('wire-agent'));
    writeFileSync(
      join(agents.dir, 'memo-agent.yaml'),
      agent('memo-agent', {
        args: "{ to: 'acct-1', amount: 100, memo: 'refund jane.doe@example.com' }",
        memo: true,
      }),
    );
    writeFileSync(
      join(agents.dir, 'escalating-agent.yaml'),
      agent('escalating-agent', { extra: ['    approval: { ttlMs: 1500, onExpiry: escalate }'] }),
    );
    writeFileSync(
      join(agents.dir, 'denying-agent.yaml'),
      agent('denying-agent', { extra: ['    approval: { ttlMs: 1500, onExpiry: deny }'] }),
    );
    stack = await startStack({
      label: 'approvalshttp',
      agentsDir: agents.dir,
      services: ['approval', 'tool-executor', 'budget', 'orchestrator', 'gateway'],
      toolExecutor: { packs: [bank] },
    });
    const { port } = stack.services.gateway.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    const createKey = (tenantId: string, subject: string, roles: string[]) =>
      createKeyOverBus(stack.nc, stack.prefix, tenantId, subject, roles);
    keys.approver = await createKey('acme', 'u_12', ['approver', 'user']);
    // The user every run below acts for, who also holds the approver role.
    keys.requester = await createKey('acme', 'u_88', ['approver', 'user']);
    keys.user = await createKey('acme', 'u_15', ['user']);
    keys.otherTenant = await createKey('globex', 'u_16', ['approver']);
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
  });

  const http = (method: 'GET' | 'POST', path: string, key: string, body?: unknown) =>
    httpClient(baseUrl)(method, path, { key, ...(body !== undefined && { body }) });
  const getApproval = (approvalId: string, key = keys.approver) =>
    http('GET', `/v1/approvals/${approvalId}`, key);
  const decide = (approvalId: string, body: Record<string, unknown>, key = keys.approver) =>
    http('POST', `/v1/approvals/${approvalId}/decision`, key, body);

  const approvalIdOf = (runId: string) => `apr_${runId.slice(4)}_call_1_0`;
  const types = (events: TetherEvent[]) => events.map((e) => e.type);

  /** Starts a run for u_88 and waits until its approval can be read over HTTP. */
  async function parkedRun(agentName = 'wire-agent', input?: string): Promise<string> {
    const runId = `run_http${++runs}`;
    await stack.startRun('acme', {
      runId,
      agent: agentName,
      userId: 'u_88',
      ...(input && { input }),
    });
    await eventually(
      async () => ((await getApproval(approvalIdOf(runId))).status === 200 ? true : undefined),
      `the approval of ${runId} to be served over HTTP`,
    );
    return runId;
  }

  const audits = (tenant: string, approvalId: string) => stack.approvalAudits(tenant, approvalId);

  it('lists the pending approval with its tool, redacted arguments, tier, risk and expiry, and serves it by id', async () => {
    const runId = await parkedRun('memo-agent', 'Wire it, I am jane.doe@example.com');
    const approvalId = approvalIdOf(runId);

    const list = await http('GET', `/v1/approvals?status=pending&runId=${runId}`, keys.approver);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const item = list.body.items![0] as unknown as ApprovalQueueItem;
    expect(item).toMatchObject({
      approvalId,
      kind: 'approval',
      tenantId: 'acme',
      runId,
      callId: 'call_1_0',
      agent: 'memo-agent',
      tool: 'wire_money',
      tier: 2,
      risk: 'high',
      requestedBy: 'u_88',
      status: 'pending',
      quorum: 1,
      votes: [],
      onExpiry: 'deny',
      // What the approver reads is what the log holds: no personal data.
      args: { to: 'acct-1', amount: 100, memo: 'refund [REDACTED:email]' },
      context: { step: 1, agent: 'memo-agent', input: 'Wire it, I am [REDACTED:email]' },
    });
    expect(JSON.stringify(item)).not.toContain('jane.doe@example.com');
    expect(Date.parse(item.expiresAt)).toBeGreaterThan(Date.parse(item.createdAt));

    const one = await getApproval(approvalId);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(item);

    // Another tenant sees nothing of it; a key without a queue role may not read the queue.
    const other = await http('GET', `/v1/approvals?runId=${runId}`, keys.otherTenant);
    expect(other.body.items).toEqual([]);
    expectProblem(await getApproval(approvalId, keys.otherTenant), 404, 'not_found');
    expectProblem(await http('GET', '/v1/approvals', keys.user), 403, 'forbidden');
  });

  it('approve: the tier-2 call runs exactly once as the key subject approved it, and the run completes', async () => {
    const runId = await parkedRun();
    const approvalId = approvalIdOf(runId);
    const before = wires.length;

    const res = await decide(approvalId, { decision: 'approve', reason: 'account checked' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ approvalId, status: 'granted', approvals: 1, quorum: 1 });

    const events = await stack.waitForEnd('acme', runId);
    expect(types(events).slice(5)).toEqual([
      'approval.granted',
      'tool.started',
      'tool.completed',
      'model.requested',
      'model.responded',
      'run.completed',
    ]);
    expect(events.find((e) => e.type === 'approval.granted')!.data).toMatchObject({
      approvalId,
      approverId: 'u_12',
      reason: 'account checked',
    });
    expect(wires.slice(before)).toEqual([{ key: `${runId}:call_1_0`, to: 'acct-1', amount: 100 }]);
    expect((await getApproval(approvalId)).body).toMatchObject({
      status: 'granted',
      votes: [{ approverId: 'u_12', decision: 'approve', reason: 'account checked' }],
    });
  });

  it('deny: the call never runs, the model goes on without it and the run completes', async () => {
    const runId = await parkedRun();
    const approvalId = approvalIdOf(runId);
    const before = wires.length;

    const res = await decide(approvalId, { decision: 'deny', reason: 'not this account' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ approvalId, status: 'denied', approvals: 0, quorum: 1 });

    const events = await stack.waitForEnd('acme', runId);
    expect(types(events).slice(5)).toEqual([
      'approval.denied',
      'model.requested',
      'model.responded',
      'run.completed',
    ]);
    expect(events[5].data).toMatchObject({
      approvalId,
      approverId: 'u_12',
      reason: 'not this account',
    });
    expect(wires.length).toBe(before);
    expect((await getApproval(approvalId)).body).toMatchObject({ status: 'denied' });
  });

  it('approve with edits: a malformed edit is 400, arguments the tool refuses are 422, valid ones run as edited', async () => {
    const runId = await parkedRun();
    const approvalId = approvalIdOf(runId);
    const approveWith = (editedArgs: unknown) =>
      decide(approvalId, { decision: 'approve', editedArgs });

    // The gateway's own check of the request: not an object.
    expectProblem(await approveWith('amount=50'), 400, 'validation_failed');
    // Well-formed, refused by the approval service against the tool: over the cap, a property
    // the schema does not know, personal data the log may not hold.
    const overCap = await approveWith({ to: 'acct-1', amount: 900 });
    expectProblem(overCap, 422, 'validation_failed');
    expect(overCap.body.detail).toContain('amount');
    expectProblem(
      await approveWith({ to: 'acct-1', amount: 10, memo: 'x' }),
      422,
      'validation_failed',
    );
    const personal = await approveWith({ to: 'jane@example.com', amount: 10 });
    expectProblem(personal, 422, 'validation_failed');
    expect(personal.body.detail).toContain('personal data');
    expect((await getApproval(approvalId)).body).toMatchObject({ status: 'pending', votes: [] });

    const before = wires.length;
    const res = await approveWith({ to: 'acct-2', amount: 50 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ approvalId, status: 'granted', approvals: 1, quorum: 1 });
    const events = await stack.waitForEnd('acme', runId);
    expect(events.at(-1)!.type).toBe('run.completed');
    expect(wires.slice(before)).toEqual([{ key: `${runId}:call_1_0`, to: 'acct-2', amount: 50 }]);
    expect((await getApproval(approvalId)).body).toMatchObject({
      status: 'granted',
      editedArgs: { to: 'acct-2', amount: 50 },
    });
  });

  describe('when nobody decides in time', () => {
    it('escalates as the agent says: the run is handed to a human, and a late decision is 409', async () => {
      const before = wires.length;
      const runId = await parkedRun('escalating-agent');
      const approvalId = approvalIdOf(runId);
      const events = await stack.waitForEnd('acme', runId, 20_000);
      expect(types(events).slice(4)).toEqual([
        'approval.requested',
        'approval.expired',
        'run.escalated',
        'run.failed',
      ]);
      expect(events.at(-1)!.data).toMatchObject({
        outcome: 'partial',
        reason: 'approval_expired',
      });

      const late = await decide(approvalId, { decision: 'approve' });
      expectProblem(late, 409, 'illegal_state');
      expect(wires.length).toBe(before);
      expect((await getApproval(approvalId)).body).toMatchObject({ status: 'expired', votes: [] });
      expect(await audits('acme', approvalId)).toMatchObject([
        { type: 'approval.refused', code: 'illegal_state', approverId: 'u_12', via: 'http' },
      ]);
    });

    it('denies as the agent says: the call never runs and the run completes, and a late decision is 409', async () => {
      const before = wires.length;
      const runId = await parkedRun('denying-agent');
      const approvalId = approvalIdOf(runId);
      const events = await stack.waitForEnd('acme', runId, 20_000);
      expect(types(events).slice(4)).toEqual([
        'approval.requested',
        'approval.expired',
        'model.requested',
        'model.responded',
        'run.completed',
      ]);
      expect(events[5].data).toMatchObject({ approvalId, action: 'deny' });

      expectProblem(await decide(approvalId, { decision: 'deny' }), 409, 'illegal_state');
      expect(wires.length).toBe(before);
      expect((await getApproval(approvalId)).body).toMatchObject({ status: 'expired' });
    });
  });

  it("refuses the run's own user (403), a key without an approver role (403) and another tenant (404), auditing each", async () => {
    const runId = await parkedRun();
    const approvalId = approvalIdOf(runId);

    const self = await decide(approvalId, { decision: 'approve' }, keys.requester);
    expectProblem(self, 403, 'forbidden');
    expectProblem(await decide(approvalId, { decision: 'approve' }, keys.user), 403, 'forbidden');
    const other = await decide(approvalId, { decision: 'approve' }, keys.otherTenant);
    expectProblem(other, 404, 'not_found');
    // Nothing says the approval exists to another tenant.
    expect(other.body.detail).not.toMatch(/acme/);

    const acme = await eventually(async () => {
      const found = await audits('acme', approvalId);
      return found.length >= 2 ? found : undefined;
    }, 'the refusals in acme to be audited');
    expect(acme.map((a) => [a.type, a.code, a.approverId, a.via])).toEqual([
      ['approval.refused', 'forbidden', 'u_88', 'http'],
      ['approval.refused', 'forbidden', 'u_15', 'http'],
    ]);
    expect(await audits('globex', approvalId)).toMatchObject([
      {
        type: 'approval.refused',
        code: 'not_found',
        tenantId: 'globex',
        approverId: 'u_16',
        via: 'http',
      },
    ]);
    // Nothing was appended to the run, and the approval still waits.
    expect(types((await stack.store.read('acme', runId)).map((s) => s.event))).toHaveLength(5);
    expect((await getApproval(approvalId)).body).toMatchObject({ status: 'pending', votes: [] });
  });

  it('survives the approval service and the orchestrator restarting: 503 while approval is down, then one call and a completed run', async () => {
    const runId = await parkedRun();
    const approvalId = approvalIdOf(runId);
    const before = wires.length;
    await stack.down('approval');
    await stack.down('orchestrator');

    // Nobody answers on <P>.svc.approval.decide: the gateway says so, and nothing is decided.
    const unavailable = await decide(approvalId, { decision: 'approve' });
    expectProblem(unavailable, 503, 'service_unavailable');
    expect(unavailable.body.detail).toMatch(/approval service/);
    expectProblem(await getApproval(approvalId), 503, 'service_unavailable');

    // The approval service first: the decision is taken while no orchestrator runs.
    await stack.up('approval');
    const granted = await decide(approvalId, { decision: 'approve' });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ status: 'granted' });
    await stack.up('orchestrator');
    // The client retries (it never saw the first answer, say): the same decision, no second call.
    const retried = await decide(approvalId, { decision: 'approve' });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ approvalId, status: 'granted', approvals: 1, quorum: 1 });

    const events = await stack.waitForEnd('acme', runId);
    expect(events.filter((e) => e.type === 'approval.granted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'tool.started')).toHaveLength(1);
    expect(events.at(-1)!.type).toBe('run.completed');
    expect(wires.slice(before)).toEqual([{ key: `${runId}:call_1_0`, to: 'acct-1', amount: 100 }]);
  });
});
