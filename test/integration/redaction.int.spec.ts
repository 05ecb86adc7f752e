import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SENSITIVE_FIXTURES } from '@tether/redaction';
import { ToolFailure, type ToolPack } from '../../services/tool-executor/src/domain/tool-handler';
import { eventually } from '../../libs/testing/src/infra.helper';
import { testAgentsDir } from '../agents-dir';
import { startStack, type TestStack } from '../stack';

const samples = SENSITIVE_FIXTURES.map((f) => f.sample);
/** What must never be stored: the sensitive part of every fixture. */
const secrets = SENSITIVE_FIXTURES.map((f) => f.sensitivePart ?? f.sample);

/** A CRM outside Tether's log: it answers with every kind of personal data and secret. */
const received: unknown[] = [];
const crmPack: ToolPack = {
  name: 'crm',
  tools: {
    crm_lookup: async (args) => {
      received.push(args);
      return {
        customer: { notes: samples.map((s) => `on file: ${s}`) },
        raw: samples,
        headers: { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'kept-secret-value-1234' },
      };
    },
    crm_update: async () => {
      throw new ToolFailure(
        `upstream refused credentials ${samples.slice(0, 8).join(' | ')}`,
        false,
      );
    },
  },
};

describe('secrets and personal data never reach the log or any table', () => {
  let stack: TestStack;
  const agents = testAgentsDir();

  beforeAll(async () => {
    writeFileSync(
      join(agents.dir, 'crm-agent.yaml'),
      stringify({
        name: 'crm-agent',
        model: {
          provider: 'scripted',
          id: 'scripted-v1',
          script: [
            {
              toolCalls: [
                {
                  name: 'crm_lookup',
                  args: { query: samples.join(' and '), password: 'hunter2-long-secret', samples },
                },
              ],
            },
            { toolCalls: [{ name: 'crm_update', args: { contact: samples[0] } }] },
            { text: 'Done.' },
          ],
        },
        instructions: 'Test agent.',
        tools: [
          { name: 'crm_lookup', tier: 0 },
          { name: 'crm_update', tier: 1 },
        ],
        permissions: [{ role: '*', tool: '*', resource: '*', effect: 'allow' }],
      }),
    );
    stack = await startStack({
      label: 'redaction',
      agentsDir: agents.dir,
      toolExecutor: { packs: [crmPack] },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    agents.remove();
  });

  it('gives the tool the real values and stores only redacted ones', async () => {
    await stack.startRun('acme', { runId: 'run_pii1', agent: 'crm-agent' });
    const events = await stack.waitForEnd('acme', 'run_pii1');
    expect(events.at(-1)?.type).toBe('run.completed');
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['tool.completed', 'tool.failed']),
    );

    // The tool itself got every value as the model proposed it.
    expect(received).toEqual([
      { query: samples.join(' and '), password: 'hunter2-long-secret', samples },
    ]);

    // The log: every event of the run, as stored.
    const log = JSON.stringify((await stack.store.read('acme', 'run_pii1')).map((s) => s.event));
    expect(log).toContain('[REDACTED:');
    expect(secrets.filter((s) => log.includes(s))).toEqual([]);
    expect(log).not.toContain('hunter2-long-secret');
    expect(log).not.toContain('kept-secret-value-1234');

    // Every table of the projections, once the run is projected.
    const db = stack.services['trace-store']!.dataSource;
    await eventually(async () => {
      const rows = await db.query(`SELECT status FROM trace_runs WHERE run_id = 'run_pii1'`);
      return rows[0]?.status === 'completed' ? true : undefined;
    }, 'the run to be projected');
    const tables: { table_name: string }[] = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThan(0);
    for (const { table_name } of tables) {
      const rows: { row: string }[] = await db.query(
        `SELECT row_to_json(t)::text AS row FROM "${table_name}" t`,
      );
      const text = rows.map((r) => r.row).join('\n');
      expect({ table: table_name, found: secrets.filter((s) => text.includes(s)) }).toEqual({
        table: table_name,
        found: [],
      });
    }
  });
});
