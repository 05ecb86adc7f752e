import type { RunTimeline } from '@tether/contracts';
import { newId } from '@tether/event-store';
import { eventually } from '../../testing/src/infra.helper';
import { startStack, type TestStack } from '../../../test/stack';
import { buildCli, tether, typesOf } from './cli.process';

const aRunId = () => `run_${newId('x').slice(2)}`;

describe('tether runs and tether trace (the CLI, built and spawned)', () => {
  let stack: TestStack;
  const cli = (args: string[]) => tether([...args, '--prefix', stack.prefix, '--tenant', 'acme']);
  const completed = [aRunId(), aRunId()];
  const rejected = aRunId();

  beforeAll(async () => {
    buildCli();
    stack = await startStack({ label: 'cliruns' });
    // One after the other, so "newest first" has an order to check.
    for (const [i, runId] of completed.entries()) {
      await stack.startRun('acme', { runId, agent: 'support-agent', userId: `u_${i + 1}` });
      await stack.waitForEnd('acme', runId);
    }
    await stack.startRun('acme', { runId: rejected, agent: 'no-such-agent', userId: 'u_1' });
    await stack.waitForEnd('acme', rejected);
    // The trace-store projects the log a moment after it is appended.
    await eventually(async () => {
      const { stdout } = await cli(['runs', '--json']);
      const page = JSON.parse(stdout) as { items: { status: string }[] };
      return page.items.length === 3 && page.items.every((r) => r.status !== 'running')
        ? true
        : undefined;
    }, 'the three runs projected');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('runs', () => {
    it('prints the runs as a table, newest first', async () => {
      const { code, stdout, stderr } = await cli(['runs']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^run +agent +user +status +outcome +steps +tools +tokens +cost +started \(UTC\) +duration$/,
      );
      expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual([
        rejected,
        ...[...completed].reverse(),
      ]);
      expect(lines[2]).toMatch(
        /^run_\S+ +support-agent +u_2 +completed +success \(completed\) +2 +1 +\d+ +\$\d+\.\d+ +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} +\S+$/,
      );
      expect(lines[1]).toMatch(/ rejected +failed \(unknown_agent\) /);
    });

    it('filters, and pages with the cursor it prints', async () => {
      const first = await cli(['runs', '--status', 'completed', '--limit', '1']);
      expect(first.code).toBe(0);
      const lines = first.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain(completed[1]);
      const cursor = /^more: --cursor (\S+)$/.exec(lines[2])?.[1];
      expect(cursor).toBeDefined();

      const next = await cli([
        'runs',
        '--status',
        'completed',
        '--limit',
        '1',
        '--cursor',
        cursor!,
      ]);
      const rest = next.stdout.trimEnd().split('\n');
      expect(rest).toHaveLength(2);
      expect(rest[1]).toContain(completed[0]);

      const mine = await cli(['runs', '--user', 'u_1', '--json']);
      const ids = (JSON.parse(mine.stdout) as { items: { runId: string }[] }).items.map(
        (r) => r.runId,
      );
      // A rejected run names no user (run.rejected does not carry one).
      expect(ids).toEqual([completed[0]]);
    });

    it('lists the runs that called a tool', async () => {
      const called = await cli(['runs', '--tool', 'lookup_order', '--json']);
      expect(called.code).toBe(0);
      const ids = (JSON.parse(called.stdout) as { items: { runId: string }[] }).items.map(
        (r) => r.runId,
      );
      expect(ids).toEqual([...completed].reverse());
      const none = await cli(['runs', '--tool', 'issue_refund']);
      expect(none).toMatchObject({ code: 0, stdout: 'no runs match\n' });
    });

    it('refuses a bad flag before connecting, with exit 2', async () => {
      const bad = await tether(['runs', '--status', 'done', '--nats', 'nats://127.0.0.1:1']);
      expect(bad).toEqual({
        code: 2,
        stdout: '',
        stderr: expect.stringMatching(
          /^tether: --status must be one of queued, running, .*\nRun "tether runs --help" for usage\.\n$/,
        ),
      });
    });

    it('exits 3 when no trace-store answers on the prefix', async () => {
      const { code, stderr } = await tether(['runs', '--prefix', `${stack.prefix}x`]);
      expect(code).toBe(3);
      expect(stderr).toMatch(/trace-store is not running on prefix/);
    });
  });

  describe('trace', () => {
    it('prints the header, then each turn with its model call and the tool call it proposed, then the answer', async () => {
      const { code, stdout, stderr } = await cli(['trace', completed[0]]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        new RegExp(
          `^${completed[0]} · support-agent \\(release \\S+\\) for u_1 · started \\S+ \\S+ UTC$`,
        ),
      );
      expect(lines[1]).toMatch(
        /^completed · success \(completed\) in \S+ · 2 step\(s\), 1 tool call\(s\) · \d+\+\d+ tok · \$\d+\.\d+$/,
      );
      const body = lines.slice(3);
      const offset = ' +\\+\\d+\\.\\d{3}s';
      const expected = [
        `^${offset}  step 1 · \\S+ · 1 tool call\\(s\\) proposed$`,
        `^${offset}    model #1 scripted/\\S+ · \\d+ms · \\d+\\+\\d+ tok · \\$[\\d.]+ · tool_calls$`,
        `^${offset}    tool lookup_order · tier 0 · completed · \\d+ms$`,
        '^ +args \\{"orderId":"1042"\\}$',
        // The carrier's answer is longer than a line: shortened.
        '^ +result \\{"found":true,.*…$',
        `^${offset}  step 2 · \\S+$`,
        `^${offset}    model #1 scripted/\\S+ · \\d+ms · \\d+\\+\\d+ tok · \\$[\\d.]+ · stop$`,
        '^ +said: .*1042',
        '^$',
        '^answer:$',
      ];
      expect(body.slice(0, expected.length)).toEqual(
        expected.map((pattern) => expect.stringMatching(new RegExp(pattern))),
      );
      const run = await stack.store.read('acme', completed[0]);
      const answer = run.at(-1)!.event.data as { output: string };
      expect(body.slice(expected.length).join('\n')).toBe(answer.output);
    });

    it('prints the timeline as one JSON object with --json', async () => {
      const { code, stdout } = await cli(['trace', completed[1], '--json']);
      expect(code).toBe(0);
      expect(stdout.trimEnd().split('\n')).toHaveLength(1);
      const timeline = JSON.parse(stdout) as RunTimeline;
      expect(timeline.run).toMatchObject({
        runId: completed[1],
        userId: 'u_2',
        status: 'completed',
      });
      expect(timeline.steps.map((s) => s.step)).toEqual([1, 2]);
      expect(timeline.toolCalls.map((c) => [c.tool, c.status])).toEqual([
        ['lookup_order', 'completed'],
      ]);
    });

    it('prints the header, then one line per projected event in log order, with --events', async () => {
      const { code, stdout, stderr } = await cli(['trace', completed[0], '--events']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^${completed[0]} · support-agent `));
      // The projection's events are the log's, in its order.
      const log = await stack.store.read('acme', completed[0]);
      expect(typesOf(stdout)).toEqual(log.map((s) => s.event.type));
      expect(typesOf(stdout)).toEqual(expect.arrayContaining(['tool.completed', 'run.completed']));
      expect(stdout).toMatch(/tool\.requested +lookup_order \{"orderId":"1042"\} · tier 0/);
      expect(stdout).toMatch(/model\.responded +step 1 → lookup_order.* · \d+\+\d+ tok.* · \d+ms/);
      expect(stdout).toMatch(/run\.completed +success · completed: /);
    });

    it('prints a rejected run with no model turn and its message', async () => {
      const { code, stdout } = await cli(['trace', rejected]);
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[1]).toMatch(/^rejected · failed \(unknown_agent\) /);
      expect(lines.slice(3)).toEqual(['no model turns', '', expect.stringMatching(/^message: \S/)]);
    });

    it('prints the summary and every event as JSON with --events --json', async () => {
      const { code, stdout } = await cli(['trace', rejected, '--events', '--json']);
      expect(code).toBe(0);
      const [run, ...events] = stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(run).toMatchObject({ runId: rejected, status: 'rejected', reason: 'unknown_agent' });
      expect(events.map((e: { type: string }) => e.type)).toEqual(['run.rejected']);
    });

    it('exits 1 for a run the tenant does not have', async () => {
      const { code, stderr } = await cli(['trace', aRunId()]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^tether: run run_\S+ not found \(tenant acme, prefix /);
    });
  });
});
