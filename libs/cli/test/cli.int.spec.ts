import { eventually } from '../../testing/src/infra.helper';
import { startStack, type TestStack } from '../../../test/stack';
import { buildCli, tether, typesOf } from './cli.process';

describe('tether (the CLI, built and spawned)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    buildCli();
    stack = await startStack({ label: 'cli' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('run --follow', () => {
    it('prints the run id, every event as it happens, the outcome, and exits 0', async () => {
      const { code, stdout, stderr } = await tether([
        'run',
        'support-agent',
        'Where is order 1042?',
        '--follow',
        '--prefix',
        stack.prefix,
      ]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^run_[0-9A-Z]{26}$/);
      expect(typesOf(stdout)).toEqual([
        'run.started',
        'model.requested',
        'model.responded',
        'tool.requested',
        'tool.started',
        'tool.completed',
        'model.requested',
        'model.responded',
        'run.completed',
      ]);
      expect(stdout).toContain('support-agent');
      expect(stdout).toMatch(/model\.responded +step 1 → lookup_order\(\{"orderId":"1042"\}\)/);
      expect(stdout).toMatch(/tool\.completed +lookup_order → \{.*"status":"shipped"/);
      expect(lines.at(-2)).toMatch(/^✔ success \(completed\) in \d/);
      expect(lines.at(-1)).toMatch(/Order 1042 shipped/);
      expect(stdout).not.toContain('\u001b['); // no colours when not on a terminal

      const events = await stack.store.read('acme', lines[0]);
      expect(events.at(-1)?.event.type).toBe('run.completed');
    });

    it('with --wait prints the run id and then only the outcome', async () => {
      const { code, stdout, stderr } = await tether([
        'run',
        'support-agent',
        'Where is order 1042?',
        '--wait',
        '--prefix',
        stack.prefix,
      ]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^run_[0-9A-Z]{26}$/);
      expect(lines[1]).toMatch(/^✔ success \(completed\) in \d/);
      expect(lines[2]).toMatch(/Order 1042 shipped/);

      const rejected = await tether(['run', 'no-such-agent', 'hi', '-w', '--prefix', stack.prefix]);
      expect(rejected.code).toBe(1);
      expect(rejected.stdout).toMatch(/✖ failed \(unknown_agent\)/);
    });

    it('exits 1 when the run does not succeed', async () => {
      const { code, stdout } = await tether([
        'run',
        'no-such-agent',
        'hi',
        '--follow',
        '--prefix',
        stack.prefix,
      ]);
      expect(code).toBe(1);
      expect(typesOf(stdout)).toEqual(['run.rejected']);
      expect(stdout).toMatch(/✖ failed \(unknown_agent\)/);
    });

    it('prints one JSON object per line with --json', async () => {
      const { code, stdout } = await tether([
        'run',
        'support-agent',
        'Where is order 1042?',
        '--follow',
        '--json',
        '--prefix',
        stack.prefix,
      ]);
      expect(code).toBe(0);
      const [started, ...events] = stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(started).toMatchObject({ runId: expect.stringMatching(/^run_/), duplicate: false });
      expect(events.map((e) => e.type).at(-1)).toBe('run.completed');
      expect(events.every((e) => e.runId === started.runId)).toBe(true);
    });

    it('without --follow prints only the run id, and takes the prefix from TETHER_PREFIX', async () => {
      const { code, stdout } = await tether(
        ['run', 'support-agent', 'Where is order 1042?', '--mode', 'shadow'],
        { TETHER_PREFIX: stack.prefix },
      );
      expect(code).toBe(0);
      expect(stdout).toMatch(/^run_[0-9A-Z]{26}\n$/);
      const events = await stack.waitForEnd('acme', stdout.trim());
      expect(events[0]).toMatchObject({
        type: 'run.started',
        data: { mode: 'shadow', userId: 'cli-user', roles: ['user'] },
      });
    });
  });

  describe('events', () => {
    it('prints the whole log of a run the same way', async () => {
      const ran = await tether([
        'run',
        'support-agent',
        'Where is order 1042?',
        '--follow',
        '--prefix',
        stack.prefix,
        '--tenant',
        'globex',
      ]);
      const runId = ran.stdout.split('\n')[0];
      const { code, stdout } = await tether([
        'events',
        runId,
        '--prefix',
        stack.prefix,
        '--tenant',
        'globex',
      ]);
      expect(code).toBe(0);
      // Same lines as when it was followed: offsets and duration come from the events' own times.
      expect(stdout).toBe(ran.stdout.slice(ran.stdout.indexOf('\n') + 1));
      expect(typesOf(stdout)).toHaveLength(9);
      expect(stdout).toMatch(/✔ success \(completed\)/);
    });

    it('exits 1 with a clear message for a run without events', async () => {
      const { code, stdout, stderr } = await tether([
        'events',
        'run_nothing',
        '--prefix',
        stack.prefix,
      ]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(`no events for run_nothing (tenant acme, prefix ${stack.prefix})\n`);
    });
  });

  describe('cancel', () => {
    it('cancels a run parked for an approval and reports run.cancelled, exit 0', async () => {
      const ran = await tether([
        'run',
        'refund-agent',
        'Refund $900 on order 1044',
        '--prefix',
        stack.prefix,
      ]);
      const runId = ran.stdout.trim();
      await eventually(
        async () =>
          (await stack.store.read('acme', runId)).at(-1)?.event.type === 'approval.requested'
            ? true
            : undefined,
        'the run to park',
      );
      const { code, stdout, stderr } = await tether([
        'cancel',
        runId,
        '--reason',
        'customer withdrew',
        '--user',
        'ops_1',
        '--prefix',
        stack.prefix,
      ]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^cancelled ${runId}: `));
      const events = await tether(['events', runId, '--prefix', stack.prefix]);
      expect(typesOf(events.stdout).at(-1)).toBe('run.cancelled');
      expect(events.stdout).toMatch(/run\.cancelled +aborted · cancelled: .* \(by ops_1\)/);
    });

    it('reports the rejection of a cancel of an unknown run, exit 1', async () => {
      const { code, stderr } = await tether([
        'cancel',
        'run_unknown1',
        '--reason',
        'testing',
        '--prefix',
        stack.prefix,
      ]);
      expect(code).toBe(1);
      expect(stderr).toBe(
        'cancel of run_unknown1 rejected (unknown_run): run run_unknown1 does not exist\n',
      );
    });
  });

  describe('rebuild', () => {
    it('replays the log into trace-store and ends with the caught-up message', async () => {
      const { code, stdout, stderr } = await tether(['rebuild', '--prefix', stack.prefix]);
      expect(code).toBe(0);
      expect(stderr).toBe(''); // the progress bar is drawn on terminals only
      const match = /^trace-store caught up: (\d+) events replayed in \d/.exec(
        stdout.trimEnd().split('\n').at(-1) ?? '',
      );
      expect(match).not.toBeNull();
      const info = await (
        await stack.nc.jetstreamManager()
      ).streams.info(`${stack.prefix.toUpperCase()}_EVT`);
      expect(Number(match![1])).toBe(info.state.last_seq);
      const [{ count }] = await stack.services['trace-store'].dataSource.query(
        'SELECT count(*)::int AS count FROM trace_events',
      );
      expect(count).toBe(info.state.messages);
    });
  });

  describe('when something is wrong', () => {
    it('exits 3 with one line naming the NATS URL when NATS is unreachable', async () => {
      const { code, stdout, stderr } = await tether([
        'events',
        'run_x',
        '--nats',
        'nats://127.0.0.1:1',
      ]);
      expect(code).toBe(3);
      expect(stdout).toBe('');
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toContain('nats://127.0.0.1:1');
      expect(stderr).toContain('npm start');
      expect(stderr).not.toMatch(/\n\s+at /);
    });

    it('exits 3 when no service runs on the prefix', async () => {
      const { code, stderr } = await tether(['rebuild', '--prefix', 'nobodyhere']);
      expect(code).toBe(3);
      expect(stderr).toMatch(/trace-store is not running on prefix "nobodyhere"/);
    });

    it('exits 2 for an unknown command', async () => {
      const { code, stderr } = await tether(['frobnicate']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/unknown command "frobnicate"/);
    });
  });
});
