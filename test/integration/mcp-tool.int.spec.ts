import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TetherEvent } from '@tether/contracts';
import { eventually } from '../../libs/testing/src/infra.helper';
import { EnvSecretStore } from '../../services/tool-executor/src/adapters/secrets/secret.store';
import { startStack, type TestStack } from '../stack';

const NOTES_SERVER = join(__dirname, '..', 'fixtures', 'mcp', 'notes-server.mjs');
const HTTP_TOKEN = 'notes-token-for-tests';
const SECRETS: Record<string, string> = {
  TEST_NOTES_OWNER: 'support-team',
  TEST_NOTES_AUTH: `Bearer ${HTTP_TOKEN}`,
};

const notesTools = (server: string) => [
  {
    name: 'get_note',
    mcp: server,
    tier: 0,
    input: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  },
  {
    name: 'add_note',
    mcp: server,
    tier: 1,
    input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
  { name: 'fail_always', mcp: server, tier: 0 },
];

function agent(name: string, server: Record<string, unknown>, calls: string[]) {
  const args: Record<string, Record<string, unknown>> = {
    get_note: { id: '1' },
    add_note: { text: 'Refund approved by the team lead' },
    fail_always: {},
  };
  return {
    name,
    model: {
      provider: 'scripted',
      id: 'scripted-v1',
      script: [
        ...calls.map((tool) => ({ toolCalls: [{ name: tool, args: args[tool] }] })),
        { text: 'Done.' },
      ],
    },
    instructions: 'Test agent.',
    tools: notesTools(server.name as string),
    mcpServers: [server],
    permissions: [{ role: '*', tool: '*', resource: '*', effect: 'allow' }],
  };
}

const stdioServer = (env: Record<string, string>) => ({
  name: 'notes',
  command: process.execPath,
  args: [NOTES_SERVER],
  env,
});

/** The notes servers this process spawned over stdio (the HTTP one is started with `--http`). */
function stdioChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === process.pid && cmdline.includes(NOTES_SERVER) && !cmdline.includes('--http'))
        pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

const byTool = (events: TetherEvent[], type: string, tool: string) =>
  events.find((e) => e.type === type && (e.data as { tool?: string }).tool === tool)?.data as
    Record<string, unknown> | undefined;

describe('MCP servers as a tool source', () => {
  let stack: TestStack;
  let stopped = false;
  let httpServer: ChildProcess;
  let agentsDir: string;

  beforeAll(async () => {
    httpServer = spawn(process.execPath, [NOTES_SERVER, '--http', '0', '--token', HTTP_TOKEN], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<string>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.stdout!.once('data', (d) => resolve(/listening (\d+)/.exec(String(d))![1]));
    });
    const httpNotes = {
      name: 'notes-http',
      url: `http://127.0.0.1:${port}/mcp`,
      headers: { Authorization: 'TEST_NOTES_AUTH' },
    };

    agentsDir = mkdtempSync(join(tmpdir(), 'tether-mcp-agents-'));
    const agents = [
      agent('mcp-stdio-agent', stdioServer({ NOTES_OWNER: 'TEST_NOTES_OWNER' }), [
        'get_note',
        'add_note',
      ]),
      agent('mcp-http-agent', httpNotes, ['get_note', 'add_note']),
      agent('mcp-failing-agent', httpNotes, ['fail_always']),
      agent('mcp-no-secret-agent', stdioServer({ NOTES_OWNER: 'TEST_NOTES_MISSING' }), [
        'get_note',
      ]),
    ];
    for (const a of agents) writeFileSync(join(agentsDir, `${a.name}.yaml`), stringify(a));
    stack = await startStack({
      label: 'mcp',
      agentsDir,
      toolExecutor: { secrets: new EnvSecretStore({ env: (name) => SECRETS[name] }) },
    });
  });

  afterAll(async () => {
    if (!stopped) await stack?.stop();
    httpServer?.kill();
    if (agentsDir) rmSync(agentsDir, { recursive: true, force: true });
  });

  async function run(runId: string, agentName: string): Promise<TetherEvent[]> {
    await stack.startRun('acme', { runId, agent: agentName, input: 'Take a note.' });
    return stack.waitForEnd('acme', runId);
  }

  /** The idempotency key the executor recorded for the call of `tool`. */
  const keyOf = (events: TetherEvent[], tool: string) =>
    byTool(events, 'tool.started', tool)?.idempotencyKey;

  it('calls tools of a stdio server, with its environment from secrets', async () => {
    const events = await run('run_mcp_stdio1', 'mcp-stdio-agent');

    expect(events.at(-1)?.type).toBe('run.completed');
    expect(byTool(events, 'tool.completed', 'get_note')?.result).toEqual({
      id: '1',
      text: 'Call the carrier about order 1042',
      owner: 'support-team',
    });
    expect(byTool(events, 'tool.completed', 'add_note')?.result).toEqual({
      id: '2',
      idempotencyKey: keyOf(events, 'add_note'),
      count: 1,
    });
    expect(keyOf(events, 'add_note')).toMatch(/^run_mcp_stdio1:/);
    expect(stdioChildren()).toHaveLength(1);
  });

  it('connects again after the stdio server dies', async () => {
    const [before] = stdioChildren();
    process.kill(before, 'SIGKILL');
    await eventually(() => (stdioChildren().includes(before) ? undefined : true), 'child to exit');

    const events = await run('run_mcp_stdio2', 'mcp-stdio-agent');

    expect(events.at(-1)?.type).toBe('run.completed');
    expect(byTool(events, 'tool.completed', 'add_note')?.result).toMatchObject({ count: 1 });
    const after = stdioChildren();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
  });

  it('calls tools of a streamable HTTP server, with its headers from secrets', async () => {
    const events = await run('run_mcp_http1', 'mcp-http-agent');

    expect(events.at(-1)?.type).toBe('run.completed');
    expect(byTool(events, 'tool.completed', 'get_note')?.result).toMatchObject({
      id: '1',
      text: 'Call the carrier about order 1042',
    });
    expect(byTool(events, 'tool.completed', 'add_note')?.result).toMatchObject({
      idempotencyKey: keyOf(events, 'add_note'),
      count: 1,
    });
  });

  it('records a result flagged isError as tool.failed, and the run goes on', async () => {
    const events = await run('run_mcp_fail1', 'mcp-failing-agent');

    expect(byTool(events, 'tool.failed', 'fail_always')).toMatchObject({
      reason: 'tool_error',
      error: 'the notes backend is down',
    });
    expect(events.at(-1)?.type).toBe('run.completed');
  });

  it('fails the call, naming the secret, when a secret the server needs is missing', async () => {
    const events = await run('run_mcp_nosecret1', 'mcp-no-secret-agent');

    const failed = byTool(events, 'tool.failed', 'get_note');
    expect(failed?.error).toContain('TEST_NOTES_MISSING');
    expect(events.at(-1)?.type).toBe('run.completed');
  });

  it('stops the stdio server when the stack stops', async () => {
    const children = stdioChildren();
    expect(children).toHaveLength(1);

    await stack.stop();
    stopped = true;

    await eventually(() => (stdioChildren().length === 0 ? true : undefined), 'children to exit');
  });
});
