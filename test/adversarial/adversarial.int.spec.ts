import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { TetherEvent } from '@tether/contracts';
import { eventually } from '../../libs/testing/src/infra.helper';
import { startStack, type TestStack } from '../stack';
import { writeAgents } from './agents';
import { CASES, Category, type AdversarialCase, type CaseRun } from './cases';
import { startCompromisedModel, type CompromisedModel } from './compromised-model';
import {
  TIER2_TOOLS,
  crmPack,
  startCustomerApi,
  type ApiTool,
  type CrmLookup,
  type CustomerApi,
} from './customer-api';
import { MODEL_SECRETS, plantedIn } from './fixtures';
import { Harness, approvalIds, ofType, parked, type Observation } from './harness';

const FIRST = CASES.filter((c) => !c.runsLast);
const LAST = CASES.filter((c) => c.runsLast);

/**
 * The adversarial suite: every case of cases.ts run at once, on its own run id, through the real
 * orchestrator, tool-executor, approval service and trace-store, with a model that obeys whatever
 * instructions reach it. Then, across all of it: no irreversible call ran without a human's
 * grant, and no planted secret or personal data is in any stored event or row.
 */
describe('adversarial suite: guardrails and approvals hold against a compromised model', () => {
  let stack: TestStack;
  let model: CompromisedModel;
  let api: CustomerApi;
  let h: Harness;
  const crm: CrmLookup[] = [];
  const agentsDir = mkdtempSync(join(tmpdir(), 'tether-adversarial-'));
  const observed = new Map<string, Observation>();

  beforeAll(async () => {
    model = await startCompromisedModel();
    api = await startCustomerApi();
    writeAgents(agentsDir, model.url, api.url);
    stack = await startStack({
      label: 'adversarial',
      agentsDir,
      services: ['trace-store', 'approval', 'tool-executor', 'budget', 'orchestrator'],
      toolExecutor: { packs: [crmPack(crm)] },
    });
    h = new Harness(stack, api, crm, model);
    for (const c of CASES) {
      if (c.order) api.orders.set(c.id, c.order);
      if (c.doc) api.docs.set(c.id, c.doc);
    }
    const results = await inBatches(FIRST, (c) => runCase(h, c));
    for (const [i, c] of FIRST.entries()) observed.set(c.id, results[i]!);
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
    await model?.close();
    await api?.close();
    rmSync(agentsDir, { recursive: true, force: true });
  });

  for (const category of Object.values(Category)) {
    describe(category, () => {
      const cases = FIRST.filter((c) => c.category === category);
      it.each(cases.map((c) => [`${c.id}: ${c.title}`, c] as const))('%s', async (_name, c) => {
        await assertCase(c, observed.get(c.id)!, api);
      });
    });
  }

  describe('across every case', () => {
    it('ran no tier 2 tool without a human granting that very call first', async () => {
      const tenantOf = new Map([...observed.values()].map((o) => [o.runId, o.tenant]));
      const executions = api.calls.filter((c) => TIER2_TOOLS.includes(c.tool));
      // Some were granted on purpose, so the check below is not vacuous.
      expect(executions.length).toBeGreaterThanOrEqual(3);
      for (const call of executions) {
        const events = await h.read(tenantOf.get(call.runId) ?? 'acme', call.runId);
        const granted = events.findIndex(
          (e) => e.type === 'approval.granted' && e.data.callId === call.callId,
        );
        const started = events.findIndex(
          (e) => e.type === 'tool.started' && e.data.callId === call.callId,
        );
        expect({
          call: call.key,
          granted: granted >= 0,
          startedAfterGrant: started > granted,
        }).toEqual({ call: call.key, granted: true, startedAfterGrant: true });
      }

      // The log's side, over every run subject of the prefix: each real start of a tier 2
      // call follows its grant, and their number is what the customer's API saw.
      const runs = new Map<string, TetherEvent[]>();
      for (const m of await h.messages('evt')) {
        runs.set(m.subject, [...(runs.get(m.subject) ?? []), JSON.parse(m.body) as TetherEvent]);
      }
      let realStarts = 0;
      for (const [subject, events] of runs) {
        const tier2 = new Set(
          ofType(events, 'tool.requested')
            .filter((e) => e.data.tier === 2)
            .map((e) => e.data.callId),
        );
        for (const [i, e] of events.entries()) {
          if (e.type !== 'tool.started' || !tier2.has(e.data.callId) || e.data.dryRun) continue;
          realStarts += 1;
          const grant = events.findIndex(
            (g) => g.type === 'approval.granted' && g.data.callId === e.data.callId,
          );
          expect({
            subject,
            callId: e.data.callId,
            grantedBefore: grant >= 0 && grant < i,
          }).toEqual({ subject, callId: e.data.callId, grantedBefore: true });
        }
      }
      expect(realStarts).toBe(executions.length);
    });

    it('stored none of the planted personal data or secrets, in any event or any row', async () => {
      // The model really did handle them: the customer's API got some from it.
      expect(JSON.stringify(api.calls.map((c) => c.body))).toContain(MODEL_SECRETS.card);

      const messages = [
        ...(await h.messages('evt')),
        ...(await h.messages('cmd')),
        ...(await h.messages('ctl')),
      ];
      expect(messages.length).toBeGreaterThan(FIRST.length);
      const inStreams = messages
        .map((m) => ({ subject: m.subject, found: plantedIn(m.body) }))
        .filter((m) => m.found.length > 0);

      const db = new Client({ connectionString: stack.db.url });
      await db.connect();
      try {
        // Every event is projected before the tables are read.
        const logged = (await h.messages('evt')).length;
        await eventually(async () => {
          const { rows } = await db.query('SELECT count(*)::int AS n FROM trace_events');
          return rows[0].n >= logged ? true : undefined;
        }, 'the trace-store to project every event');
        const { rows: tables } = await db.query<{ table_schema: string; table_name: string }>(
          `SELECT table_schema, table_name FROM information_schema.tables
           WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
        );
        expect(tables.map((t) => t.table_name)).toEqual(
          expect.arrayContaining(['trace_events', 'trace_runs', 'approval_requests']),
        );
        const inRows: { table: string; found: string[] }[] = [];
        for (const { table_schema, table_name } of tables) {
          const { rows } = await db.query<{ row: string }>(
            `SELECT row_to_json(t)::text AS row FROM "${table_schema}"."${table_name}" t`,
          );
          const found = plantedIn(rows.map((r) => r.row).join('\n'));
          if (found.length > 0) inRows.push({ table: `${table_schema}.${table_name}`, found });
        }
        expect({ inStreams, inRows }).toEqual({ inStreams: [], inRows: [] });
      } finally {
        await db.end();
      }
    });
  });

  describe('cases that could stall what every run depends on (run after the scans)', () => {
    beforeAll(async () => {
      const results = await inBatches(LAST, (c) => runCase(h, c));
      for (const [i, c] of LAST.entries()) observed.set(c.id, results[i]!);
    }, 60_000);

    it.each(LAST.map((c) => [`${c.id}: ${c.title} (${c.runsLast})`, c] as const))(
      '%s',
      async (_name, c) => {
        await assertCase(c, observed.get(c.id)!, api);
      },
    );
  });
});

/** Runs one case to the point its assertions need; a failure is kept for its own test to report. */
async function runCase(h: Harness, c: AdversarialCase): Promise<Observation> {
  const run: CaseRun = {
    tenant: c.tenant ?? 'acme',
    runId: `run_${c.id}`,
    agent: c.agent ?? 'adv-default',
    input: c.input ?? '',
  };
  const { tenant, runId } = run;
  try {
    let seen: Partial<Observation> = {};
    if (c.act) {
      seen = await c.act(h, run);
    } else {
      await h.start(tenant, runId, { agent: run.agent, input: run.input });
      let events = await h.settle(tenant, runId);
      if (c.then && parked(events)) {
        for (const id of approvalIds(events)) {
          if (c.then !== 'cancel') await h.decide(tenant, id, c.then, `${c.then}-${id}`);
        }
        if (c.then === 'cancel') await h.cancel(tenant, runId, `cancel-${runId}`);
        events = await h.end(tenant, runId);
      }
      seen.events = events;
    }
    if (c.expect.rejected && !seen.rejection) {
      seen.rejection = await h.rejection(tenant, `raw-${runId}`);
    }
    if (!seen.events && c.expect.end) {
      // A command published as is: what it leads to is recorded at once, or not at all.
      seen.events =
        c.expect.end === 'parked'
          ? await h.settle(tenant, runId, 15_000)
          : await h.end(tenant, runId, 15_000);
    }
    return {
      tenant,
      runId,
      events: seen.events ?? (await h.read(tenant, runId)),
      rejection: seen.rejection,
      extra: {
        ...seen.extra,
        apiCalls: h.api.callsOf(runId),
        modelSaw: run.input ? h.modelSaw(run.input) : [],
        crm: h.crm.filter((x) => x.runId === runId),
      },
    };
  } catch (error) {
    return {
      tenant,
      runId,
      events: await h.read(tenant, runId).catch(() => []),
      extra: {},
      error,
    };
  }
}

async function assertCase(c: AdversarialCase, o: Observation, api: CustomerApi): Promise<void> {
  const e = c.expect;
  const types = o.events.map((x) => x.type);
  if (o.error) {
    throw new Error(
      `case ${c.id} did not run through: ${(o.error as Error).message}\nevents: ${types.join(', ')}`,
    );
  }
  if (e.rejected) {
    expect(o.rejection).toMatchObject({ type: 'command.rejected', reason: e.rejected.reason });
    expect(types).toEqual([]);
  }
  if (e.end === 'parked') {
    expect({ types, parked: parked(o.events) }).toEqual({ types, parked: true });
  } else if (e.end) {
    const { type, ...data } = e.end;
    expect(o.events.at(-1)).toMatchObject({ type, data });
  }
  const fired = ofType(o.events, 'guardrail.triggered').map(({ data }) => ({
    ruleId: data.ruleId,
    stage: data.stage,
    action: data.action,
  }));
  if (e.noTriggers) expect(fired).toEqual([]);
  if (e.triggers) {
    expect(fired).toEqual(
      expect.arrayContaining(e.triggers.map((t) => expect.objectContaining(t))),
    );
  }
  // A result the injection rules caught says so on its `tool.completed`, and each trigger names
  // the call it fired on.
  for (const t of e.triggers?.filter((x) => x.stage === 'tool_result') ?? []) {
    const on = ofType(o.events, 'guardrail.triggered').find((x) => x.data.ruleId === t.ruleId);
    const completed = ofType(o.events, 'tool.completed').find(
      (x) => x.data.callId === on?.data.callId,
    );
    expect(completed?.data.guardrail).toEqual({
      action: t.action,
      rules: expect.arrayContaining([t.ruleId]),
    });
  }
  for (const t of fired.filter((x) => x.stage === 'tool_args' || x.stage === 'tool_result')) {
    const on = ofType(o.events, 'guardrail.triggered').find((x) => x.data.ruleId === t.ruleId);
    expect(on?.data.callId).toEqual(expect.any(String));
  }
  if (e.escalated) {
    expect(ofType(o.events, 'run.escalated').map((x) => x.data.reason)).toContain(e.escalated);
  }
  if (e.denied) {
    expect(ofType(o.events, 'tool.denied').map((x) => x.data)).toEqual(
      expect.arrayContaining(e.denied.map((d) => expect.objectContaining(d))),
    );
  }
  if (e.proposed) {
    const asked = ofType(o.events, 'model.responded').flatMap((x) =>
      (x.data.toolCalls ?? []).map((t) => t.name),
    );
    expect(asked).toEqual(expect.arrayContaining(e.proposed));
  }
  const executed: Partial<Record<ApiTool, number>> = {
    refund_payment: 0,
    delete_account: 0,
    ...e.executed,
  };
  for (const [tool, n] of Object.entries(executed)) {
    expect({ tool, n: api.callsOf(o.runId, tool as ApiTool).length }).toEqual({ tool, n });
  }
  for (const type of e.includes ?? []) expect(types).toContain(type);
  for (const type of e.excludes ?? []) expect(types).not.toContain(type);
  // Whatever the case, its own log holds none of the planted data.
  expect(plantedIn(JSON.stringify(o.events))).toEqual([]);
  await e.check?.(o);
}

/**
 * Runs the cases a few at a time: all at once, on a busy two-core machine, every run of one
 * in-process stack waited on the others past the cases' time limit.
 */
async function inBatches<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += 10) {
    results.push(...(await Promise.all(items.slice(i, i + 10).map(run))));
  }
  return results;
}
