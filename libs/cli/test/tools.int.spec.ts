import type { NatsConnection } from 'nats';
import { SwitchFlipped, parseAs, parseJson, streamNames, subjects } from '@tether/contracts';
import { deleteStreams, provisionStreams } from '@tether/event-store';
import { connectTestNats, uniquePrefix } from '../../testing/src/infra.helper';
import { osUser } from '../src/cli.config';
import { buildCli, tether } from './cli.process';

describe('tether tools (the CLI, built and spawned)', () => {
  // The switches live on the bus alone: the streams and the bucket are enough, no service runs.
  const prefix = uniquePrefix('clitools');
  let nc: NatsConnection;

  const lastFlip = async (scope: string) => {
    const stored = await (
      await nc.jetstreamManager()
    ).streams.getMessage(streamNames(prefix).ctl, {
      last_by_subj: subjects.switchFlips(prefix, scope),
    });
    const json = parseJson(stored.data);
    const parsed = json.ok ? parseAs(SwitchFlipped, json.value) : json;
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return parsed.value;
  };

  beforeAll(async () => {
    buildCli();
    nc = await connectTestNats();
    await provisionStreams(await nc.jetstreamManager(), prefix);
  });
  afterAll(async () => {
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
  });

  it('switches a tool off for one tenant, records who and why, and says so', async () => {
    const { code, stdout, stderr } = await tether([
      'tools',
      'disable',
      'issue_refund',
      '--reason',
      'refund loop, ticket 4711',
      '--tenant',
      'acme',
      '--by',
      'alice@ops',
      '--prefix',
      prefix,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^issue_refund switched off for tenant acme by alice@ops: refund loop, ticket 4711 \(swf_[0-9A-Z]{26}\)\n$/,
    );
    expect(await lastFlip('acme')).toMatchObject({
      scope: 'tenant',
      tenantId: 'acme',
      name: 'issue_refund',
      enabled: false,
      by: 'alice@ops',
      reason: 'refund loop, ticket 4711',
    });
  });

  it('switches a tool off for every tenant without --tenant, as the OS user by default', async () => {
    const { code, stdout } = await tether(
      ['tools', 'disable', 'charge_card', '--reason', 'card processor down', '--prefix', prefix],
      // Only the flag narrows a switch: the CLI's default tenant must not.
      { TETHER_TENANT: 'acme' },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^charge_card switched off for every tenant by /);
    expect(await lastFlip('_all')).toMatchObject({
      scope: 'all',
      name: 'charge_card',
      by: osUser(process.env),
    });
  });

  it('lists the switches, on and off, and those that apply to one tenant', async () => {
    await tether([
      'tools',
      'enable',
      'issue_refund',
      '--reason',
      'loop fixed',
      '--tenant',
      'acme',
      '--by',
      'bob@ops',
      '--prefix',
      prefix,
    ]);
    await tether([
      'tools',
      'disable',
      'lookup_order',
      '--reason',
      'x',
      '--tenant',
      'globex',
      '--prefix',
      prefix,
    ]);

    const all = await tether(['tools', 'switches', '--prefix', prefix]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^tool +state +scope +since +by \/ reason$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^charge_card +OFF +every tenant +\S+ +\S+: card processor down$/),
      expect.stringMatching(/^issue_refund +on +tenant acme +\S+ +bob@ops: loop fixed$/),
      expect.stringMatching(/^lookup_order +OFF +tenant globex /),
    ]);

    const acme = await tether([
      'tools',
      'switches',
      '--tenant',
      'acme',
      '--json',
      '--prefix',
      prefix,
    ]);
    expect(acme.code).toBe(0);
    const rows = acme.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      expect.objectContaining({ key: 'tool._all.charge_card', tenant: null, enabled: false }),
      expect.objectContaining({
        key: 'tool.acme.issue_refund',
        tenant: 'acme',
        enabled: true,
        by: 'bob@ops',
        reason: 'loop fixed',
        flipId: expect.stringMatching(/^swf_/),
        revision: expect.any(Number),
      }),
    ]);
  });

  it('prints the flip as JSON with --json', async () => {
    const { code, stdout } = await tether([
      'tools',
      'enable',
      'charge_card',
      '--reason',
      'processor back',
      '--by',
      'ops',
      '--json',
      '--prefix',
      prefix,
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'enabled',
      tool: 'charge_card',
      tenant: null,
      key: 'tool._all.charge_card',
      by: 'ops',
      reason: 'processor back',
    });
  });

  it.each([
    [['tools', 'disable', 'issue_refund'], /tools disable needs --reason "<why>"/],
    [['tools', 'disable', 'bad name!', '--reason', 'x'], /name must be a tool name/],
    [['tools', 'disable', 'noop', '--reason', 'x', '--tenant', '_all'], /"_all" is reserved/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const { code, stdout, stderr } = await tether([...args, '--prefix', prefix]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('exits 3 when the prefix has no streams', async () => {
    const { code, stderr } = await tether([
      'tools',
      'disable',
      'noop',
      '--reason',
      'x',
      '--prefix',
      uniquePrefix('nostreams'),
    ]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/no Tether stream takes .*\.ctl\._all\.switch\.tool/);
  });
});
