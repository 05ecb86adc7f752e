import { startIsolatedService, uniquePrefix, type IsolatedService } from '../../testing/src';
import { loadConfig } from '../../../services/gateway/src/config';
import { gatewayService } from '../../../services/gateway/src/gateway.module';
import { osUser } from '../src/cli.config';
import { buildCli, tether } from './cli.process';

describe('tether keys (the CLI, built and spawned)', () => {
  let gw: IsolatedService;
  let baseUrl: string;
  const keys = (args: string[]) => tether(['keys', ...args, '--prefix', gw.prefix]);
  const create = (tenant: string, subject: string, roles: string, ...more: string[]) =>
    keys(['create', '--tenant', tenant, '--subject', subject, '--roles', roles, ...more]);
  const get = async (path: string, key: string) =>
    (await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } })).status;

  beforeAll(async () => {
    buildCli();
    gw = await startIsolatedService('clikeys', (env) => gatewayService(loadConfig(env)));
    baseUrl = gw.healthUrl().replace(/\/health$/, '');
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('creates a key: the key alone on stdout, what it is on stderr, and it works at once', async () => {
    const { code, stdout, stderr } = await create(
      'acme',
      'u_12',
      'admin,approver',
      '--expires',
      '30d',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^tk_[A-Za-z0-9_-]{43}\n$/);
    expect(stderr).toMatch(
      /^created key_[0-9A-Z]{26} \(tk_.{8}…\) for u_12 in tenant acme, roles admin,approver, expires \d{4}-.*Store the key now: it is not shown again\.\n$/,
    );
    expect(await get('/v1/keys', stdout.trim())).toBe(200);
  });

  it("lists the tenant's keys with prefix, status and creator, never a key", async () => {
    const made = await create('globex', 'u_7', 'operator', '--name', 'console', '--json');
    const created = JSON.parse(made.stdout) as { keyId: string; key: string; createdBy: string };
    expect(created.createdBy).toBe(osUser(process.env));

    const table = await keys(['list', '--tenant', 'globex']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^key +prefix +subject +roles +status +expires +last used +name$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      new RegExp(`^${created.keyId} +tk_.{8}… +u_7 +operator +active +- +- +console$`),
    );
    expect(table.stdout).not.toContain(created.key);

    const json = await keys(['list', '--tenant', 'globex', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      keyId: created.keyId,
      tenantId: 'globex',
      status: 'active',
    });
    expect((await keys(['list', '--tenant', 'initech'])).stdout).toBe(
      'no keys in tenant initech\n',
    );
  });

  it('revokes a key: the next request with it is refused', async () => {
    const made = await create('acme', 'u_8', 'admin', '--json');
    const { keyId, key } = JSON.parse(made.stdout) as { keyId: string; key: string };
    const { code, stdout } = await keys(['revoke', keyId, '--by', 'alice@ops']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(`^revoked ${keyId} \\(tk_.{8}…\\) for u_8 in tenant acme at \\d{4}-`),
    );
    expect(await get('/v1/keys', key)).toBe(401);
  });

  it('says what the gateway refused and why, and exits 1', async () => {
    const unknown = await keys(['revoke', 'key_01JDQ7ZK3V9W2M4N6P8R0T2V4X']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/refused: key key_01JDQ7ZK3V9W2M4N6P8R0T2V4X not found/);
    const badRole = await create('acme', 'u', 'root');
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(/refused: invalid key request: .*roles/);
  });

  it('exits 2 on bad usage, before asking anyone', async () => {
    const { code, stderr } = await keys(['create', '--subject', 'u', '--roles', 'admin']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/keys create needs --tenant/);
  });

  it('exits 3 when no gateway runs on the prefix', async () => {
    const { code, stderr } = await tether([
      'keys',
      'list',
      '--tenant',
      'acme',
      '--prefix',
      uniquePrefix('nogw'),
    ]);
    expect(code).toBe(3);
    expect(stderr).toMatch(
      /the gateway does not answer \S+\.svc\.gateway\.keys\.list: is it running on prefix/,
    );
  });
});
