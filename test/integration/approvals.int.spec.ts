import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApprovalOp,
  CommandName,
  subjects,
  type ApprovalDecisionResult,
  type ApprovalPage,
  type TetherEvent,
} from '@tether/contracts';
import { encodeJson, requestService, type RemoteError } from '@tether/event-store';
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

function agent(name: string, extra: string[] = []): string {
  return [
    `name: ${name}`,
    'model:',
    '  provider: scripted',
    '  id: scripted-v1',
    '  script:',
    "    - toolCalls: [{ name: wire_money, args: { to: 'acct-1', amount: 100 } }]",
    "    - text: 'Done.'",
    'instructions: Test agent.',
    'tools:',
    '  - name: wire_money',
    '    tier: 2',
    '    caps: { amount: 500 }',
    '    input:',
    '      type: object',
    '      properties: { to: { type: string }, amount: { type: number } }',
    '      required: [to, amount]',
    '      additionalProperties: false',
    ...extra,
    "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]",
  ].join('\n');
}

describe('approvals: the queue, decisions by bus and request/reply, quorum, edits, expiry, restarts', () => {
  let stack: TestStack;
  const agents = testAgentsDir();
  let runs = 0;

  beforeAll(async () => {
    writeFileSync(join(agents.dir, 'wire-agent.yaml'), agent('wire-agent'));
    writeFileSync(
      join(agents.dir, 'quorum-agent.yaml'),
      agent('quorum-agent', ['    approval: { quorum: 2 }']),
    );
    writeFileSync(
      join(agents.dir, 'expiring-agent.yaml'),
      agent('expiring-agent', ['    approval: { ttlMs: 1500, onExpiry: escalate }']),
    );
    stack = await startStack({
      label: 'approvals',
      agentsDir: agents.dir,
      services: ['approval', 'tool-executor', 'budget', 'orchestrator'],
      toolExecutor: { packs: [bank] },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
  });

  const types = async (runId: string, tenant = 'acme') =>
    (await stack.store.read(tenant, runId)).map((s) => s.event.type);
  const approvalIdOf = (runId: string) => `apr_${runId.slice(4)}_call_1_0`;

  /** Starts a run and waits until the approval service has queued its approval. */
  async function parkedRun(agentName = 'wire-agent', tenant = 'acme'): Promise<string> {
    const runId = `run_apr${++runs}`;
    await stack.startRun(tenant, { runId, agent: agentName, userId: 'u_88' });
    await eventually(
      async () =>
        (await get(tenant, approvalIdOf(runId)).catch(() => undefined)) ? true : undefined,
      `the approval of ${runId} to be queued`,
    );
    return runId;
  }

  const decideOnBus = (tenant: string, body: Record<string, unknown>, msgId: string) =>
    stack.publishRaw(
      subjects.command(stack.prefix, tenant, CommandName.ApprovalDecide),
      encodeJson(body),
      msgId,
    );
  const rpc = <T>(op: string, body: unknown) =>
    requestService<T>(stack.nc, stack.prefix, 'approval', op, body, 5000);
  const get = (tenantId: string, approvalId: string) =>
    rpc<{ status: string; votes: unknown[] }>(ApprovalOp.Get, { tenantId, approvalId });

  const audits = (tenant: string, approvalId: string) => stack.approvalAudits(tenant, approvalId);

  it('queues the request with redacted args, risk, expiry and context, and the run waits', async () => {
    const runId = await parkedRun();
    const page = await rpc<ApprovalPage>(ApprovalOp.List, { tenantId: 'acme', runId });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      approvalId: approvalIdOf(runId),
      kind: 'approval',
      runId,
      agent: 'wire-agent',
      tool: 'wire_money',
      tier: 2,
      risk: 'high',
      args: { to: 'acct-1', amount: 100 },
      requestedBy: 'u_88',
      status: 'pending',
      quorum: 1,
      onExpiry: 'deny',
      context: { step: 1, input: 'Where is order 1042?' },
    });
    expect(await types(runId)).toEqual([
      'run.started',
      'model.requested',
      'model.responded',
      'tool.requested',
      'approval.requested',
    ]);
    // Another tenant sees none of it.
    expect((await rpc<ApprovalPage>(ApprovalOp.List, { tenantId: 'globex' })).items).toEqual([]);
  });

  it('approve on the bus: the call runs once, the run finishes, the entry is granted', async () => {
    const runId = await parkedRun();
    const before = wires.length;
    await decideOnBus(
      'acme',
      {
        approvalId: approvalIdOf(runId),
        decision: 'approve',
        approverId: 'u_12',
        roles: ['approver'],
      },
      `dec-${runId}`,
    );
    const events = await stack.waitForEnd('acme', runId);
    expect(events.map((e) => e.type).slice(5)).toEqual([
      'approval.granted',
      'tool.started',
      'tool.completed',
      'model.requested',
      'model.responded',
      'run.completed',
    ]);
    expect(wires.slice(before)).toEqual([{ key: `${runId}:call_1_0`, to: 'acct-1', amount: 100 }]);
    expect(await get('acme', approvalIdOf(runId))).toMatchObject({ status: 'granted' });
  });

  it('deny on the bus: the call never runs and the model is told', async () => {
    const runId = await parkedRun();
    const before = wires.length;
    await decideOnBus(
      'acme',
      {
        approvalId: approvalIdOf(runId),
        decision: 'deny',
        approverId: 'u_12',
        roles: ['approver'],
        reason: 'not this account',
      },
      `dec-${runId}`,
    );
    const events = await stack.waitForEnd('acme', runId);
    expect(events.map((e) => e.type)).toContain('approval.denied');
    expect(events.map((e) => e.type)).not.toContain('tool.started');
    expect(events.at(-1)!.type).toBe('run.completed');
    expect(wires.length).toBe(before);
    expect(await get('acme', approvalIdOf(runId))).toMatchObject({ status: 'denied' });
  });

  it('refuses self-approval, a voter without the role and another tenant, with an error and an audit record', async () => {
    const runId = await parkedRun();
    const approvalId = approvalIdOf(runId);
    const attempt = (tenantId: string, approverId: string, roles: string[]) =>
      rpc<ApprovalDecisionResult>(ApprovalOp.Decide, {
        tenantId,
        approvalId,
        decision: 'approve',
        approverId,
        roles,
      }).catch((err: RemoteError) => err);

    expect(await attempt('acme', 'u_88', ['approver'])).toMatchObject({ code: 'forbidden' });
    expect(await attempt('acme', 'u_13', ['user', 'operator'])).toMatchObject({
      code: 'forbidden',
    });
    expect(await attempt('globex', 'u_14', ['approver'])).toMatchObject({ code: 'not_found' });
    // The same refusals arrive on the bus: audited, and nothing is appended to the run.
    await decideOnBus(
      'acme',
      { approvalId, decision: 'approve', approverId: 'u_88', roles: ['approver'] },
      `self-${runId}`,
    );
    await eventually(
      async () => ((await audits('acme', approvalId)).length >= 3 ? true : undefined),
      'the refusals to be audited',
    );
    const acme = await audits('acme', approvalId);
    expect(acme.map((a) => [a.type, a.code, a.approverId, a.via])).toEqual([
      ['approval.refused', 'forbidden', 'u_88', 'http'],
      ['approval.refused', 'forbidden', 'u_13', 'http'],
      ['approval.refused', 'forbidden', 'u_88', 'bus'],
    ]);
    expect(await audits('globex', approvalId)).toMatchObject([
      { type: 'approval.refused', code: 'not_found', tenantId: 'globex' },
    ]);
    expect(await types(runId)).toHaveLength(5);
    expect(await get('acme', approvalId)).toMatchObject({ status: 'pending', votes: [] });
  });

  it('approve with edits: arguments the tool refuses are rejected, valid ones run as edited', async () => {
    const runId = await parkedRun();
    const approvalId = approvalIdOf(runId);
    const decide = (editedArgs: Record<string, unknown>) =>
      rpc<ApprovalDecisionResult>(ApprovalOp.Decide, {
        tenantId: 'acme',
        approvalId,
        decision: 'approve',
        approverId: 'u_12',
        roles: ['approver'],
        editedArgs,
      });
    await expect(decide({ to: 'acct-1', amount: 900 })).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('amount'),
    });
    await expect(decide({ to: 'acct-1', amount: 10, memo: 'x' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(decide({ to: 'jane@example.com', amount: 10 })).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('personal data'),
    });
    const before = wires.length;
    await expect(decide({ to: 'acct-2', amount: 50 })).resolves.toEqual({
      approvalId,
      status: 'granted',
      approvals: 1,
      quorum: 1,
    });
    await stack.waitForEnd('acme', runId);
    expect(wires.slice(before)).toEqual([{ key: `${runId}:call_1_0`, to: 'acct-2', amount: 50 }]);
  });

  it('waits for a quorum of distinct approvers', async () => {
    const runId = await parkedRun('quorum-agent');
    const approvalId = approvalIdOf(runId);
    const vote = (approverId: string) =>
      rpc<ApprovalDecisionResult>(ApprovalOp.Decide, {
        tenantId: 'acme',
        approvalId,
        decision: 'approve',
        approverId,
        roles: ['approver'],
      });
    await expect(vote('u_1')).resolves.toMatchObject({
      status: 'pending',
      approvals: 1,
      quorum: 2,
    });
    await expect(vote('u_1')).resolves.toMatchObject({ status: 'pending', approvals: 1 });
    expect(await types(runId)).not.toContain('approval.granted');
    await expect(vote('u_2')).resolves.toMatchObject({ status: 'granted', approvals: 2 });
    const events = await stack.waitForEnd('acme', runId);
    expect(events.filter((e) => e.type === 'tool.completed')).toHaveLength(1);
    expect((await audits('acme', approvalId)).map((a) => a.type)).toContain('approval.voted');
  });

  it('expiry escalates when the agent says so: the run is handed to a human and the call never runs', async () => {
    const before = wires.length;
    const runId = await parkedRun('expiring-agent');
    const events: TetherEvent[] = await stack.waitForEnd('acme', runId, 20_000);
    expect(events.map((e) => e.type).slice(4)).toEqual([
      'approval.requested',
      'approval.expired',
      'run.escalated',
      'run.failed',
    ]);
    expect(events.at(-1)!.data).toMatchObject({ outcome: 'partial', reason: 'approval_expired' });
    expect(wires.length).toBe(before);
    expect(await get('acme', approvalIdOf(runId))).toMatchObject({ status: 'expired' });
    // A decision after the expiry is refused.
    await expect(
      rpc(ApprovalOp.Decide, {
        tenantId: 'acme',
        approvalId: approvalIdOf(runId),
        decision: 'approve',
        approverId: 'u_12',
        roles: ['approver'],
      }),
    ).rejects.toMatchObject({ code: 'illegal_state' });
  });

  it('loses nothing when the approval service and the orchestrator restart while a decision waits', async () => {
    const runId = await parkedRun();
    const before = wires.length;
    await stack.down('approval');
    await stack.down('orchestrator');
    // Published while neither service runs: the decision waits in its durable consumer.
    await decideOnBus(
      'acme',
      {
        approvalId: approvalIdOf(runId),
        decision: 'approve',
        approverId: 'u_12',
        roles: ['approver'],
      },
      `dec-${runId}`,
    );
    // The same decision again (a client retry): deduplicated by its id.
    await decideOnBus(
      'acme',
      {
        approvalId: approvalIdOf(runId),
        decision: 'approve',
        approverId: 'u_12',
        roles: ['approver'],
      },
      `dec-${runId}`,
    );
    await stack.up('approval');
    await stack.up('orchestrator');
    const events = await stack.waitForEnd('acme', runId);
    expect(events.filter((e) => e.type === 'approval.granted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'tool.started')).toHaveLength(1);
    expect(events.at(-1)!.type).toBe('run.completed');
    expect(wires.slice(before)).toHaveLength(1);
  });
});
