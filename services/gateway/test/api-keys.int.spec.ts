import { createHash } from 'node:crypto';
import type { ApiKeyView as KeyView, CreatedApiKey } from '../src/application/api-key.requests';
import { expectProblem, startGateway, type TestGateway } from './gateway.helper';

describe('API keys', () => {
  let gw: TestGateway;
  let admin: CreatedApiKey;

  beforeAll(async () => {
    gw = await startGateway('gwkeys');
    admin = await gw.createKey('acme', 'u_admin', ['admin']);
  });
  afterAll(async () => {
    await gw?.stop();
  });

  describe('when created over NATS', () => {
    it('shows the key once, in the tk_ format, with what it is bound to', async () => {
      const created = await gw.createKey('acme', 'u_12', ['approver', 'user'], {
        expiresIn: '30d',
        name: 'alice',
        createdBy: 'ops@cluster',
      });
      expect(created.key).toMatch(/^tk_[A-Za-z0-9_-]{43}$/);
      expect(created).toMatchObject({
        keyId: expect.stringMatching(/^key_[0-9A-Z]{26}$/),
        tenantId: 'acme',
        subject: 'u_12',
        roles: ['approver', 'user'],
        name: 'alice',
        prefix: created.key.slice(0, 11),
        status: 'active',
        createdBy: 'ops@cluster',
      });
      const days =
        (Date.parse(String(created.expiresAt)) - Date.parse(String(created.createdAt))) /
        86_400_000;
      expect(days).toBe(30);

      const { items } = await gw.keysOp<{ items: KeyView[] }>('keys.list', { tenantId: 'acme' });
      const listed = items.find((k) => k.keyId === created.keyId)!;
      expect(listed).toMatchObject({ subject: 'u_12', prefix: created.prefix, status: 'active' });
      expect(listed).not.toHaveProperty('key');
      expect(JSON.stringify(items)).not.toContain(created.key);
    });

    it('stores only the SHA-256 of the key, never the key itself', async () => {
      const { keyId, key } = await gw.createKey('acme', 'u_13', ['user']);
      const rows: Array<Record<string, unknown>> = await gw.svc.sut.dataSource.query(
        `SELECT * FROM gateway_api_keys WHERE id = $1`,
        [keyId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].key_hash).toBe(createHash('sha256').update(key).digest('hex'));
      const everything = JSON.stringify(
        await gw.svc.sut.dataSource.query(
          `SELECT row_to_json(k)::text AS r FROM gateway_api_keys k`,
        ),
      );
      expect(everything).not.toContain(key);
      // Not even the secret part beyond the visible prefix.
      expect(everything).not.toContain(key.slice(11));
    });

    it('refuses a request that breaks the contract, naming every problem', async () => {
      await expect(
        gw.keysOp('keys.create', { tenantId: 'acme corp', subject: '', roles: ['root'] }),
      ).rejects.toMatchObject({ name: 'RemoteError', code: 'validation_failed' });
      await expect(
        gw.keysOp('keys.create', {
          tenantId: 'acme',
          subject: 'u_1',
          roles: ['user'],
          expiresIn: '1d',
          expiresAt: '2099-01-01T00:00:00Z',
        }),
      ).rejects.toMatchObject({ code: 'validation_failed', message: /not both/ });
    });

    it('revokes by id, for any tenant, and a revoked key no longer authenticates', async () => {
      const { keyId, key } = await gw.createKey('globex', 'u_9', ['admin']);
      expect((await gw.http('GET', '/v1/keys', { key })).status).toBe(200);
      const revoked = await gw.keysOp<KeyView>('keys.revoke', { keyId, revokedBy: 'ops' });
      expect(revoked).toMatchObject({ keyId, status: 'revoked', revokedAt: expect.any(String) });
      const again = await gw.keysOp<KeyView>('keys.revoke', { keyId });
      expect(again.revokedAt).toBe(revoked.revokedAt);
      expectProblem(await gw.http('GET', '/v1/keys', { key }), 401, 'unauthorized');
      await expect(
        gw.keysOp('keys.revoke', { keyId: 'key_01JDQ7ZK3V9W2M4N6P8R0T2V4X' }),
      ).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  describe('over HTTP, for the admins of a tenant', () => {
    it("creates a key in the caller's tenant and shows it once, uncached", async () => {
      const res = await gw.http('POST', '/v1/keys', {
        key: admin.key,
        body: { subject: 'u_20', roles: ['operator'], expiresAt: '2099-01-01T00:00:00.000Z' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        tenantId: 'acme',
        subject: 'u_20',
        roles: ['operator'],
        createdBy: admin.keyId,
        expiresAt: '2099-01-01T00:00:00.000Z',
        key: expect.stringMatching(/^tk_/),
      });
      const created = res.body as unknown as CreatedApiKey;
      // It authenticates at once: an operator is known, and may not manage keys.
      expectProblem(await gw.http('GET', '/v1/keys', { key: created.key }), 403, 'forbidden');
    });

    it('refuses a tenant in the body (the key decides it) and unknown roles, with 400 problems', async () => {
      const res = await gw.http('POST', '/v1/keys', {
        key: admin.key,
        body: { tenantId: 'globex', subject: 'u_21', roles: ['user', 'root'] },
      });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/tenantId should not exist/),
          expect.stringMatching(/roles/),
        ]),
      );
      expectProblem(
        await gw.http('POST', '/v1/keys', {
          key: admin.key,
          body: { subject: 'u', roles: [], expiresIn: '-1d' },
        }),
        400,
        'validation_failed',
      );
    });

    it("lists only the caller's tenant's keys, with when each was last used", async () => {
      const other = await gw.createKey('globex', 'u_30', ['admin']);
      await gw.http('GET', '/v1/keys', { key: other.key });
      const res = await gw.http('GET', '/v1/keys', { key: admin.key });
      expect(res.status).toBe(200);
      const items = res.body.items as unknown as KeyView[];
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((k) => k.tenantId === 'acme')).toBe(true);
      expect(items.map((k) => k.keyId)).not.toContain(other.keyId);
      expect(items.find((k) => k.keyId === admin.keyId)?.lastUsedAt).toEqual(expect.any(String));
      expect(JSON.stringify(items)).not.toMatch(/tk_[A-Za-z0-9_-]{43}/);
    });

    it("revokes a key of the tenant, and answers 404 for another tenant's key", async () => {
      const mine = await gw.createKey('acme', 'u_40', ['user']);
      const theirs = await gw.createKey('globex', 'u_41', ['user']);
      expectProblem(
        await gw.http('DELETE', `/v1/keys/${theirs.keyId}`, { key: admin.key }),
        404,
        'not_found',
      );
      const { items } = await gw.keysOp<{ items: KeyView[] }>('keys.list', { tenantId: 'globex' });
      expect(items.find((k) => k.keyId === theirs.keyId)?.status).toBe('active');

      const res = await gw.http('DELETE', `/v1/keys/${mine.keyId}`, { key: admin.key });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ keyId: mine.keyId, status: 'revoked' });
      expectProblem(await gw.http('GET', '/v1/approvals', { key: mine.key }), 401, 'unauthorized');
    });

    it('takes the key as X-API-Key too', async () => {
      const res = await gw.http('GET', '/v1/keys', { headers: { 'x-api-key': admin.key } });
      expect(res.status).toBe(200);
    });
  });

  describe('authentication and roles, on every endpoint', () => {
    /** Every route of the API (a test below holds the list to the OpenAPI document). */
    const endpoints: Array<{
      method: string;
      path: string;
      route: string;
      body?: unknown;
      /** Admits the `user` role. */
      forUsers?: boolean;
    }> = [
      { method: 'GET', path: '/v1/keys', route: '/v1/keys' },
      {
        method: 'POST',
        path: '/v1/keys',
        route: '/v1/keys',
        body: { subject: 'u_50', roles: ['user'] },
      },
      {
        method: 'DELETE',
        path: '/v1/keys/key_01JDQ7ZK3V9W2M4N6P8R0T2V4X',
        route: '/v1/keys/{keyId}',
      },
      { method: 'GET', path: '/v1/approvals', route: '/v1/approvals' },
      { method: 'GET', path: '/v1/approvals/apr_1', route: '/v1/approvals/{approvalId}' },
      {
        method: 'POST',
        path: '/v1/approvals/apr_1/decision',
        route: '/v1/approvals/{approvalId}/decision',
        body: { decision: 'approve' },
      },
      { method: 'GET', path: '/v1/switches/tools', route: '/v1/switches/tools' },
      {
        method: 'PUT',
        path: '/v1/switches/tools/issue_refund',
        route: '/v1/switches/tools/{tool}',
        body: { enabled: false, reason: 'incident' },
      },
      { method: 'GET', path: '/v1/budget/caps', route: '/v1/budget/caps' },
      {
        method: 'PUT',
        path: '/v1/budget/caps/user_daily',
        route: '/v1/budget/caps/{cap}',
        body: { limitUsd: 5, reason: 'trial' },
      },
      { method: 'GET', path: '/v1/spend?by=day', route: '/v1/spend', forUsers: true },
      {
        method: 'POST',
        path: '/v1/runs',
        route: '/v1/runs',
        body: { agent: 'support-agent', input: 'hi' },
        forUsers: true,
      },
      { method: 'GET', path: '/v1/runs', route: '/v1/runs', forUsers: true },
      { method: 'GET', path: '/v1/runs/run_1', route: '/v1/runs/{runId}', forUsers: true },
      {
        method: 'POST',
        path: '/v1/runs/run_1/cancel',
        route: '/v1/runs/{runId}/cancel',
        body: {},
        forUsers: true,
      },
      {
        method: 'GET',
        path: '/v1/runs/run_1/events',
        route: '/v1/runs/{runId}/events',
        forUsers: true,
      },
      {
        method: 'GET',
        path: '/v1/runs/run_1/timeline',
        route: '/v1/runs/{runId}/timeline',
        forUsers: true,
      },
    ];

    it('lists every route of the OpenAPI document', async () => {
      const doc = (await (await fetch(`${gw.baseUrl}/docs-json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const documented = Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/v1/'))
        .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      expect(endpoints.map((e) => `${e.method} ${e.route}`).sort()).toEqual(documented.sort());
    });
    let revoked: string;
    let expired: string;
    let user: string;

    beforeAll(async () => {
      const r = await gw.createKey('acme', 'u_60', ['admin', 'approver']);
      await gw.keysOp('keys.revoke', { keyId: r.keyId });
      revoked = r.key;
      const e = await gw.createKey('acme', 'u_61', ['admin', 'approver'], { expiresIn: '1h' });
      await gw.expire(e.keyId);
      expired = e.key;
      user = (await gw.createKey('acme', 'u_62', ['user'])).key;
    });

    it.each(endpoints)(
      '$method $path without a key is 401, with a hint and WWW-Authenticate',
      async ({ method, path, body }) => {
        const res = await gw.http(method, path, { body });
        expectProblem(res, 401, 'unauthorized');
        expect(res.body.detail).toMatch(/Authorization: Bearer/);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      },
    );

    it.each(endpoints)(
      '$method $path with an unknown, malformed, revoked or expired key is 401, saying which',
      async ({ method, path, body }) => {
        const refused: Array<[Record<string, string>, RegExp]> = [
          [{ authorization: `Bearer tk_${'A'.repeat(43)}` }, /not valid/],
          [{ authorization: 'Basic dTpw' }, /not valid/],
          [{ authorization: `Bearer ${revoked}` }, /revoked/],
          [{ 'x-api-key': expired }, /expired/],
        ];
        for (const [headers, why] of refused) {
          const res = await gw.http(method, path, { body, headers });
          expectProblem(res, 401, 'unauthorized');
          expect(res.body.detail).toMatch(why);
        }
      },
    );

    // A decision is the approval service's to refuse (and audit), whatever the key's roles.
    const decision = (e: { path: string }) => e.path.endsWith('/decision');

    it.each(endpoints.filter((e) => !decision(e) && !e.forUsers))(
      '$method $path with only the user role is 403',
      async ({ method, path, body }) => {
        const res = await gw.http(method, path, { body, key: user });
        expectProblem(res, 403, 'forbidden');
        expect(res.body.detail).toMatch(/roles/);
      },
    );

    it.each(endpoints.filter(decision))(
      '$method $path with only the user role goes to the approval service (none runs here: 503)',
      async ({ method, path, body }) => {
        expectProblem(await gw.http(method, path, { body, key: user }), 503, 'service_unavailable');
      },
    );

    it('never echoes a presented key', async () => {
      const res = await gw.http('GET', '/v1/keys', { key: revoked });
      expect(JSON.stringify(res.body)).not.toContain(revoked);
    });
  });
});
