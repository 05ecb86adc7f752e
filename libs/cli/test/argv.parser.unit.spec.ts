import { PassThrough } from 'node:stream';
import { parseArgv } from '../src/argv.parser';
import { loadCliConfig, osUser } from '../src/cli.config';
import { UsageError } from '../src/cli.errors';
import { runCli } from '../src/cli.runner';

function usageError(argv: string[]): UsageError {
  try {
    parseArgv(argv);
  } catch (err) {
    expect((err as Error).name).toBe('UsageError');
    return err as UsageError;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be refused`);
}

describe('parseArgv', () => {
  it('reads a run with its options, wherever the global options are', () => {
    expect(
      parseArgv([
        '--prefix',
        'p1',
        'run',
        'support-agent',
        'Where is order 1042?',
        '--follow',
        '--mode',
        'shadow',
        '--roles',
        'user, vip',
        '--json',
      ]),
    ).toEqual({
      command: 'run',
      flags: { prefix: 'p1', json: true, nats: undefined, tenant: undefined, user: undefined },
      agent: 'support-agent',
      input: 'Where is order 1042?',
      follow: true,
      wait: false,
      mode: 'shadow',
      roles: ['user', 'vip'],
    });
  });

  it('takes --wait (-w) for run, but not together with --follow', () => {
    expect(parseArgv(['run', 'a', 'b', '-w'])).toMatchObject({ follow: false, wait: true });
    expect(() => parseArgv(['run', 'a', 'b', '--wait', '--follow'])).toThrow(
      /--follow already waits for the outcome/,
    );
  });

  it('defaults run to not following, with no mode or roles', () => {
    expect(parseArgv(['run', 'a', 'b'])).toMatchObject({
      command: 'run',
      follow: false,
      wait: false,
      mode: undefined,
      roles: undefined,
      flags: { json: false },
    });
  });

  it('reads events, cancel and rebuild', () => {
    expect(parseArgv(['events', 'run_1', '--tenant', 't2'])).toMatchObject({
      command: 'events',
      runId: 'run_1',
      flags: { tenant: 't2' },
    });
    expect(
      parseArgv(['cancel', 'run_1', '--reason', 'wrong order', '--user', 'ops']),
    ).toMatchObject({
      command: 'cancel',
      runId: 'run_1',
      reason: 'wrong order',
      flags: { user: 'ops' },
    });
    expect(parseArgv(['rebuild', '--nats', 'nats://h:4222'])).toMatchObject({
      command: 'rebuild',
      flags: { nats: 'nats://h:4222' },
    });
  });

  describe('tools', () => {
    it('reads disable and enable with the reason, the tenant and who flips it', () => {
      expect(
        parseArgv([
          'tools',
          'disable',
          'issue_refund',
          '--reason',
          ' payments incident ',
          '--tenant',
          'acme',
          '--by',
          'ops@x',
        ]),
      ).toEqual({
        command: 'tools',
        action: 'disable',
        tool: 'issue_refund',
        reason: 'payments incident',
        by: 'ops@x',
        flags: { tenant: 'acme', json: false, nats: undefined, prefix: undefined, user: undefined },
      });
      expect(parseArgv(['tools', 'enable', 'crm.search', '--reason', 'fixed'])).toMatchObject({
        action: 'enable',
        tool: 'crm.search',
        by: undefined,
        flags: { tenant: undefined },
      });
    });

    it('reads switches, with or without a tenant', () => {
      expect(parseArgv(['tools', 'switches', '--json'])).toMatchObject({
        command: 'tools',
        action: 'switches',
        flags: { json: true, tenant: undefined },
      });
    });

    it.each([
      [['tools'], /tools needs an action: disable, enable, switches/],
      [['tools', 'kill', 'x'], /unknown tools action "kill"/],
      [['tools', 'disable', 'issue_refund'], /tools disable needs --reason "<why>"/],
      [['tools', 'enable', 'issue_refund', '--reason', '  '], /tools enable needs --reason/],
      [['tools', 'disable', '--reason', 'x'], /tools disable takes <tool>, got 0/],
      [['tools', 'disable', 'a', 'b', '--reason', 'x'], /tools disable takes <tool>, got 2/],
      [['tools', 'disable', 'a', '--reason', 'x', '--by', ''], /--by must not be empty/],
      [['tools', 'switches', 'a'], /tools switches takes no arguments/],
      [['tools', 'switches', '--reason', 'x'], /tools switches does not take --reason/],
      [['tools', 'disable', 'a', '--reason', 'x', '--follow'], /tools does not take --follow/],
      [['cancel', 'run_1', '--by', 'x'], /cancel does not take --by/],
    ])('refuses %j', (argv, message) => {
      const err = usageError(argv);
      expect(err.message).toMatch(message);
    });

    it('points at the tools help', () => {
      expect(usageError(['tools', 'disable', 'issue_refund']).command).toBe('tools');
    });
  });

  describe('keys', () => {
    const create = ['keys', 'create', '--tenant', 'a', '--subject', 'u', '--roles', 'admin'];

    it('reads create with the tenant, subject, roles, lifetime, label and creator', () => {
      expect(
        parseArgv([
          'keys',
          'create',
          '--tenant',
          'acme',
          '--subject',
          'u_12',
          '--roles',
          'approver, user',
          '--expires',
          '30d',
          '--name',
          'alice',
          '--by',
          'ops@x',
        ]),
      ).toEqual({
        command: 'keys',
        action: 'create',
        tenant: 'acme',
        subject: 'u_12',
        roles: ['approver', 'user'],
        expires: { expiresIn: '30d' },
        name: 'alice',
        by: 'ops@x',
        flags: { tenant: 'acme', json: false, nats: undefined, prefix: undefined, user: undefined },
      });
    });

    it('takes an ISO time for --expires, and no expiry by default', () => {
      expect(parseArgv([...create, '--expires', '2027-01-01T00:00:00Z'])).toMatchObject({
        expires: { expiresAt: '2027-01-01T00:00:00Z' },
      });
      expect(parseArgv(create)).not.toHaveProperty('expires');
    });

    it('reads list and revoke', () => {
      expect(parseArgv(['keys', 'list', '--tenant', 'acme', '--json'])).toMatchObject({
        command: 'keys',
        action: 'list',
        tenant: 'acme',
        flags: { json: true },
      });
      expect(parseArgv(['keys', 'revoke', 'key_01JD', '--by', 'ops'])).toMatchObject({
        command: 'keys',
        action: 'revoke',
        keyId: 'key_01JD',
        by: 'ops',
      });
    });

    it.each([
      [['keys'], /keys needs an action: create, list, revoke/],
      [['keys', 'rotate'], /unknown keys action "rotate"/],
      [['keys', 'create', '--subject', 'u', '--roles', 'admin'], /keys create needs --tenant/],
      [['keys', 'list'], /keys list needs --tenant/],
      [['keys', 'create', '--tenant', 'acme', '--roles', 'admin'], /needs --subject/],
      [['keys', 'create', '--tenant', 'acme', '--subject', 'u'], /needs --roles/],
      [
        ['keys', 'create', '--tenant', 'acme', '--subject', 'u', '--roles', ' , '],
        /at least one role/,
      ],
      [[...create, '--expires', '1y'], /--expires takes a duration .* not "1y"/],
      [[...create, '--expires', '2027-01-01'], /--expires takes/],
      [['keys', 'list', '--tenant', 'acme', '--roles', 'admin'], /keys list does not take --roles/],
      [['keys', 'revoke', 'key_1', '--subject', 'u'], /keys revoke does not take --subject/],
      [['keys', 'revoke'], /keys revoke takes <keyId>, got 0/],
      [['keys', 'list', 'x', '--tenant', 'acme'], /keys list takes no arguments/],
      [['run', 'a', 'b', '--subject', 'u'], /run does not take --subject/],
    ])('refuses %j', (argv, message) => {
      const err = usageError(argv);
      expect(err.message).toMatch(message);
      expect(err.command).toBe(argv[0]);
    });
  });

  describe('spend', () => {
    it('reads the grouping, the days and the filters; --user names whose spend', () => {
      expect(
        parseArgv([
          'spend',
          '--by',
          'user',
          '--from',
          '2026-11-01',
          '--to',
          '2026-11-21',
          '--user',
          'u_88',
          '--agent',
          'support-agent',
          '--model',
          'openai:gpt-4.1',
          '--tenant',
          'acme',
          '--json',
        ]),
      ).toEqual({
        command: 'spend',
        by: 'user',
        from: '2026-11-01',
        to: '2026-11-21',
        userId: 'u_88',
        agent: 'support-agent',
        model: 'openai:gpt-4.1',
        flags: { tenant: 'acme', json: true, nats: undefined, prefix: undefined, user: 'u_88' },
      });
    });

    it('groups by day, over the service default period, without options', () => {
      expect(parseArgv(['spend'])).toEqual({
        command: 'spend',
        by: 'day',
        flags: {
          json: false,
          nats: undefined,
          prefix: undefined,
          tenant: undefined,
          user: undefined,
        },
      });
    });

    it.each([
      [
        ['spend', '--by', 'hour'],
        /--by must be one of tenant, user, agent, model, day, not "hour"/,
      ],
      [['spend', '--from', '2026-02-30'], /--from takes a day as YYYY-MM-DD, not "2026-02-30"/],
      [['spend', '--to', '21/11/2026'], /--to takes a day as YYYY-MM-DD/],
      [['spend', '--from', '2026-11-01T00:00:00Z'], /--from takes a day/],
      [['spend', '--from', '2026-11-02', '--to', '2026-11-01'], /--from 2026-11-02 is after --to/],
      [['spend', 'acme'], /spend takes no arguments, got 1/],
      [['spend', '--agent', ' '], /--agent must not be empty/],
      [['spend', '--reason', 'x'], /spend does not take --reason/],
      [['spend', '--global'], /spend does not take --global/],
      [['spend', '--by'], /option --by needs a value/],
    ])('refuses %j', (argv, message) => {
      const err = usageError(argv);
      expect(err.message).toMatch(message);
      expect(err.command ?? 'spend').toBe('spend');
    });
  });

  describe('runs', () => {
    it('reads every filter; --user names whose runs', () => {
      expect(
        parseArgv([
          'runs',
          '--tenant',
          'acme',
          '--user',
          'u_88',
          '--agent',
          'support-agent',
          '--release',
          'sha256:ab12',
          '--status',
          'failed',
          '--outcome',
          'aborted',
          '--tool',
          'issue_refund',
          '--from',
          '2026-11-01',
          '--to',
          '2026-11-21T09:30:00Z',
          '--limit',
          '20',
          '--cursor',
          'c_1',
          '--json',
        ]),
      ).toEqual({
        command: 'runs',
        userId: 'u_88',
        agent: 'support-agent',
        release: 'sha256:ab12',
        status: 'failed',
        outcome: 'aborted',
        tool: 'issue_refund',
        from: '2026-11-01',
        to: '2026-11-21T09:30:00Z',
        limit: 20,
        cursor: 'c_1',
        flags: { tenant: 'acme', json: true, nats: undefined, prefix: undefined, user: 'u_88' },
      });
    });

    it('sends no filter without options', () => {
      const { command, flags, ...filters } = parseArgv(['runs']) as {
        command: 'runs';
        flags: object;
      };
      expect([command, flags, filters]).toEqual([
        'runs',
        expect.objectContaining({ json: false }),
        {},
      ]);
    });

    it.each([
      [
        ['runs', '--status', 'done'],
        /--status must be one of queued, running, waiting_for_approval/,
      ],
      [['runs', '--outcome', 'ok'], /--outcome must be one of success, partial, failed, aborted/],
      [['runs', '--limit', '0'], /--limit takes a whole number from 1 to 200/],
      [['runs', '--limit', '201'], /--limit takes a whole number from 1 to 200/],
      [['runs', '--limit', '2.5'], /--limit takes a whole number/],
      [['runs', '--from', '2026-02-30'], /--from takes an ISO 8601 time .* not "2026-02-30"/],
      [['runs', '--to', 'yesterday'], /--to takes an ISO 8601 time/],
      [['runs', '--from', '2026-11-21T09:00:00'], /--from takes an ISO 8601 time/],
      [['runs', '--from', '2026-11-02', '--to', '2026-11-01'], /--from 2026-11-02 is not before/],
      [['runs', '--cursor', ' '], /--cursor must not be empty/],
      [['runs', '--tool', '9lives'], /--tool takes a tool name as agents declare it, not "9lives"/],
      [['runs', '--tool', ''], /--tool takes a tool name/],
      [['runs', '--tool'], /option --tool needs a value/],
      [['runs', '--events'], /runs does not take --events/],
      [['runs', 'acme'], /runs takes no arguments, got 1/],
      [['runs', '--by', 'day'], /runs does not take --by/],
      [['runs', '--limit'], /option --limit needs a value/],
    ])('refuses %j', (argv, message) => {
      const err = usageError(argv);
      expect(err.message).toMatch(message);
      expect(err.command ?? 'runs').toBe('runs');
    });
  });

  describe('trace', () => {
    it('reads the run id; the timeline unless --events', () => {
      expect(parseArgv(['trace', 'run_01JD3X', '--json'])).toMatchObject({
        command: 'trace',
        runId: 'run_01JD3X',
        events: false,
        flags: { json: true },
      });
      expect(parseArgv(['trace', 'run_01JD3X', '--events'])).toMatchObject({ events: true });
    });

    it.each([
      [['trace'], /trace takes <runId>, got 0 argument/],
      [['trace', 'r1'], /"r1" is not a run id/],
      [['trace', 'run_1', '--limit', '5'], /trace does not take --limit/],
    ])('refuses %j', (argv, message) => {
      expect(usageError(argv).message).toMatch(message);
    });
  });

  describe('budget', () => {
    const set = ['budget', 'set', 'user_daily', '5', '--by', 'alice', '--reason', 'trial'];

    it('reads caps, for the tenant of the flag or the environment', () => {
      expect(parseArgv(['budget', 'caps', '--tenant', 'globex', '--json'])).toEqual({
        command: 'budget',
        action: 'caps',
        flags: {
          tenant: 'globex',
          json: true,
          nats: undefined,
          prefix: undefined,
          user: undefined,
        },
      });
    });

    it('reads set with the cap, the dollars, the user, who and why', () => {
      expect(
        parseArgv([
          'budget',
          'set',
          'user_daily',
          '$12.50',
          '--user',
          'u_88',
          '--tenant',
          'acme',
          '--by',
          ' alice@ops ',
          '--reason',
          ' trial account ',
        ]),
      ).toEqual({
        command: 'budget',
        action: 'set',
        cap: 'user_daily',
        limitUsd: 12.5,
        global: false,
        subject: 'u_88',
        by: 'alice@ops',
        reason: 'trial account',
        flags: { tenant: 'acme', json: false, nats: undefined, prefix: undefined, user: 'u_88' },
      });
    });

    it('reads none as removing the cap, and --global as the whole installation', () => {
      expect(
        parseArgv([
          'budget',
          'set',
          'global_monthly',
          'none',
          '--global',
          '--by',
          'a',
          '--reason',
          'r',
        ]),
      ).toMatchObject({ cap: 'global_monthly', limitUsd: null, global: true });
      expect(
        parseArgv(['budget', 'set', 'run', '.25', '--by', 'a', '--reason', 'r']),
      ).toMatchObject({
        cap: 'run',
        limitUsd: 0.25,
        global: false,
      });
      expect(parseArgv(set)).not.toHaveProperty('subject');
    });

    it.each([
      [['budget'], /budget needs an action: caps, set/],
      [['budget', 'raise'], /unknown budget action "raise"/],
      [['budget', 'caps', 'acme'], /budget caps takes no arguments/],
      [['budget', 'caps', '--reason', 'x'], /budget caps does not take --reason/],
      [['budget', 'caps', '--user', 'u_1'], /budget caps does not take --user/],
      [['budget', 'set', 'user_daily'], /budget set takes <cap> <usd\|none>, got 1/],
      [
        ['budget', 'set', 'hourly', '5', '--by', 'a', '--reason', 'r'],
        /unknown cap "hourly" \(caps: run, user_daily/,
      ],
      [['budget', 'set', 'run', '-5', '--by', 'a', '--reason', 'r'], /unknown option -5/],
      [
        ['budget', 'set', 'run', 'lots', '--by', 'a', '--reason', 'r'],
        /the limit must be dollars .* not "lots"/,
      ],
      [['budget', 'set', 'run', '1e3', '--by', 'a', '--reason', 'r'], /the limit must be dollars/],
      [['budget', 'set', 'run', '5', '--reason', 'r'], /budget set needs --by <who>/],
      [['budget', 'set', 'run', '5', '--by', 'a'], /budget set needs --reason "<why>"/],
      [['budget', 'set', 'run', '5', '--by', 'a', '--reason', ' '], /needs --reason/],
      [[...set, '--global', '--tenant', 'acme'], /--global and --tenant exclude each other/],
      [
        ['budget', 'set', 'global_daily', '100', '--by', 'a', '--reason', 'r'],
        /global_daily holds for the whole installation: pass --global/,
      ],
      [[...set, '--agent', 'x'], /budget does not take --agent/],
    ])('refuses %j', (argv, message) => {
      const err = usageError(argv);
      expect(err.message).toMatch(message);
    });
  });

  it('takes an input that starts with a dash after --', () => {
    expect(parseArgv(['run', 'a', '--', '-1 is my order'])).toMatchObject({
      input: '-1 is my order',
    });
  });

  it.each([
    [['--help'], undefined],
    [['-h'], undefined],
    [['help'], undefined],
    [['help', 'run'], 'run'],
    [['tools', '--help'], 'tools'],
    [['run', '--help'], 'run'],
    [['cancel', 'run_1', '-h'], 'cancel'],
  ])('reads %j as help on %s', (argv, topic) => {
    expect(parseArgv(argv)).toEqual({ command: 'help', topic });
  });

  it.each([
    [[], /no command/],
    [['frob'], /unknown command "frob"/],
    [['help', 'frob'], /unknown command "frob"/],
    [['run', 'support-agent'], /run takes <agent> <input>, got 1/],
    [['events'], /events takes <runId>, got 0/],
    [['rebuild', 'now'], /rebuild takes no arguments, got 1/],
    [['events', 'run_1', '--follow'], /events does not take --follow/],
    [['rebuild', '--reason', 'x'], /rebuild does not take --reason/],
    [['run', 'a', 'b', '--mode', 'yolo'], /--mode must be one of live, shadow, dry-run/],
    [['run', 'a', 'b', '--mode'], /option --mode needs a value/],
    [['run', 'a', 'b', '--roles', ' , '], /--roles needs at least one role/],
    [['run', 'a', 'b', '--frob'], /unknown option --frob/],
    [['run', 'a', 'b', '--json=yes'], /option --json does not take a value/],
    [['events', 'run_1', '--tenant', ''], /--tenant must not be empty/],
  ])('refuses %j', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });

  it('names the command whose help to show', () => {
    expect(usageError(['events', 'run_1', '--follow']).command).toBe('events');
  });
});

describe('loadCliConfig', () => {
  const env = { TETHER_NATS_URL: 'nats://env:4222', TETHER_PREFIX: 'envp', TETHER_TENANT: 'envt' };

  it('uses the defaults without flags or environment', () => {
    expect(loadCliConfig({}, {}, false)).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      prefix: 'tether',
      tenant: 'acme',
      user: 'cli-user',
      operator: osUser({}),
      json: false,
      color: false,
      debug: false,
    });
  });

  it('prefers the environment to the defaults, and flags to both', () => {
    expect(loadCliConfig({}, env, false)).toMatchObject({
      natsUrl: 'nats://env:4222',
      prefix: 'envp',
      tenant: 'envt',
    });
    expect(
      loadCliConfig(
        { nats: 'nats://flag:1', prefix: 'flagp', tenant: 'flagt', user: 'me' },
        env,
        false,
      ),
    ).toMatchObject({
      natsUrl: 'nats://flag:1',
      prefix: 'flagp',
      tenant: 'flagt',
      user: 'me',
    });
  });

  it('colours a terminal only, and never JSON or with NO_COLOR', () => {
    expect(loadCliConfig({}, {}, true).color).toBe(true);
    expect(loadCliConfig({ json: true }, {}, true).color).toBe(false);
    expect(loadCliConfig({}, { NO_COLOR: '1' }, true).color).toBe(false);
  });
});

describe('runCli', () => {
  async function sut(argv: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d) => (out += d));
    stderr.on('data', (d) => (err += d));
    const code = await runCli(argv, {
      stdout,
      stderr,
      env: {},
      signal: new AbortController().signal,
    });
    return { code, out, err };
  }

  it('prints the help and exits 0', async () => {
    const { code, out } = await sut(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: tether <command>/);
    expect(out).toMatch(/rebuild/);
  });

  it('prints the tools help with the scope rule and the audit trail', async () => {
    const { code, out } = await sut(['tools', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: tether tools disable <tool> --reason/);
    expect(out).toMatch(/without it, every tenant/);
  });

  it('exits 2 naming the missing reason, before connecting to anything', async () => {
    const { code, err } = await sut(['tools', 'disable', 'issue_refund']);
    expect(code).toBe(2);
    expect(err).toMatch(/^tether: tools disable needs --reason "<why>"/);
    expect(err).toMatch(/Run "tether tools --help" for usage/);
  });

  it('prints the spend and budget help with every group and cap', async () => {
    const spend = await sut(['spend', '--help']);
    expect(spend.code).toBe(0);
    expect(spend.out).toMatch(
      /Usage: tether spend \[--tenant <id>\] \[--by tenant\|user\|agent\|model\|day\]/,
    );
    const budget = await sut(['help', 'budget']);
    expect(budget.out).toMatch(/tether budget set <cap> <usd\|none> \[--tenant <id> \| --global\]/);
    expect(budget.out).toMatch(
      /run, user_daily, user_monthly, tenant_daily, tenant_monthly, global_daily,\s+global_monthly/,
    );
    expect((await sut(['--help'])).out).toMatch(/budget set <cap> <usd>/);
  });

  it('prints the runs and trace help with every status and outcome', async () => {
    const runs = await sut(['runs', '--help']);
    expect(runs.code).toBe(0);
    expect(runs.out).toMatch(/Usage: tether runs \[--tenant <id>\] \[--user <id>\]/);
    expect(runs.out).toMatch(/queued, running, waiting_for_approval/);
    expect(runs.out).toMatch(/success, partial, failed, aborted/);
    expect(runs.out).toMatch(/--tool <name> +only runs that called \(or asked to call\) this tool/);
    const trace = (await sut(['help', 'trace'])).out;
    expect(trace).toMatch(/Usage: tether trace <runId> \[--tenant <id>\] \[--events\] \[--json\]/);
    expect(trace).toMatch(/--events +the projected events instead/);
    const general = (await sut(['--help'])).out;
    expect(general).toMatch(/\n {2}runs {2,}list the tenant's runs/);
    expect(general).toMatch(/\n {2}trace <runId> {2,}what a run did, step by step/);
  });

  it('exits 2 for a bad runs filter, before connecting to anything', async () => {
    const { code, err } = await sut(['runs', '--limit', 'ten', '--nats', 'nats://127.0.0.1:1']);
    expect(code).toBe(2);
    expect(err).toBe(
      'tether: --limit takes a whole number from 1 to 200\nRun "tether runs --help" for usage.\n',
    );
  });

  it('exits 2 for a cap change without who, before connecting to anything', async () => {
    const { code, err } = await sut(['budget', 'set', 'run', '5', '--reason', 'r']);
    expect(code).toBe(2);
    expect(err).toMatch(/^tether: budget set needs --by <who>/);
    expect(err).toMatch(/Run "tether budget --help" for usage/);
  });

  it('prints per-command help', async () => {
    const { code, out } = await sut(['run', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: tether run <agent> "<input>"/);
  });

  it('exits 2 with the help on stderr when no command is given', async () => {
    const { code, out, err } = await sut([]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/Usage: tether <command>/);
  });

  it('exits 2 with one clear message and a pointer to the help for bad usage', async () => {
    const { code, err } = await sut(['events', 'run_1', '--follow']);
    expect(code).toBe(2);
    expect(err).toBe(
      'tether: events does not take --follow\nRun "tether events --help" for usage.\n',
    );
  });

  it('exits 2 for arguments the contract refuses, before connecting', async () => {
    const { code, err } = await sut([
      'events',
      'run_1',
      '--prefix',
      'Not Valid',
      '--nats',
      'nats://127.0.0.1:1',
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/^tether: invalid client options: prefix "Not Valid"/);
  });
});
