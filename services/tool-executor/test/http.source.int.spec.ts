import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ToolSpec } from '@tether/contracts';
import { EnvSecretStore } from '../src/adapters/secrets/secret.store';
import type { ToolContext } from '../src/domain/tool-handler';
import { HttpSource } from '../src/sources/http.source';

const TOKEN = 'Bearer s3cr3t-token-0123456789';

/** What the test server saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server standing in for a team's API: routes by path, records every request. */
function startApi(): Promise<{ server: Server; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const path = new URL(req.url!, 'http://x').pathname;
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (status) {
      const code = Number(status[1]);
      // A careless API that quotes the credentials it refuses.
      const message = code === 401 ? `bad token ${req.headers.authorization}` : `said ${code}`;
      return json(code, { message }, code === 429 ? { 'retry-after': '7' } : {});
    }
    if (path === '/slow') return; // never answers: the caller's signal has to end the call
    if (path === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('hello');
    }
    if (path === '/empty') return res.writeHead(204).end();
    if (path === '/big') {
      // With Content-Length, and chunked without one: both are cut off at the cap.
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.includes('chunked')) {
        for (let i = 0; i < 32; i++) res.write('x'.repeat(64 * 1024));
        return res.end();
      }
      return res.end(`"${'x'.repeat(2 * 1024 * 1024)}"`);
    }
    json(200, { ok: true, method: req.method, url: req.url });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
      }),
    ),
  );
}

describe(HttpSource.name, () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  const sut = new HttpSource(
    new EnvSecretStore({ env: (name) => (name === 'API_TOKEN' ? TOKEN : undefined) }),
  );
  let n = 0;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    api.server.closeAllConnections();
    await new Promise((r) => api.server.close(r));
  });
  beforeEach(() => {
    api.seen.length = 0;
  });

  const ctx = (signal: AbortSignal = AbortSignal.timeout(5_000)): ToolContext => {
    n += 1;
    return {
      tenantId: 'acme',
      runId: 'run_http1',
      userId: 'u_1',
      callId: `call_${n}`,
      idempotencyKey: `run_http1:call_${n}`,
      signal,
    };
  };
  const call = (http: ToolSpec['http'], args: Record<string, unknown>, c = ctx()) =>
    sut.handlerFor({ name: 'api_tool', tier: 0, http })!(args, c);

  describe('when the API answers 2xx', () => {
    it('sends GET arguments as the query string and returns the parsed JSON', async () => {
      const result = await call(
        { url: `${api.base}/orders/{orderId}`, method: 'GET' },
        { orderId: 'A 7', expand: 'items' },
      );
      expect(result).toEqual({ ok: true, method: 'GET', url: '/orders/A%207?expand=items' });
      expect(api.seen[0].body).toBe('');
      expect(api.seen[0].headers['content-type']).toBeUndefined();
    });

    it('sends other arguments as a JSON body, without those filled into the URL', async () => {
      await call(
        { url: `${api.base}/orders/{orderId}/notes`, method: 'POST' },
        { orderId: '1042', note: 'late', amount: 12.5 },
      );
      expect(api.seen[0]).toMatchObject({
        method: 'POST',
        url: '/orders/1042/notes',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      });
      expect(JSON.parse(api.seen[0].body)).toEqual({ note: 'late', amount: 12.5 });
    });

    it('sends the idempotency key, the secret header and a Tether user agent', async () => {
      const c = ctx();
      await call(
        { url: `${api.base}/x`, method: 'PUT', headers: { Authorization: 'API_TOKEN' } },
        {},
        c,
      );
      expect(api.seen[0].headers).toMatchObject({
        'idempotency-key': c.idempotencyKey,
        authorization: TOKEN,
        'user-agent': expect.stringMatching(/^Tether-tool-executor\//),
      });
    });

    it('returns a body that is not JSON as text, and an empty one as its status', async () => {
      await expect(call({ url: `${api.base}/text`, method: 'GET' }, {})).resolves.toEqual({
        text: 'hello',
      });
      await expect(call({ url: `${api.base}/empty`, method: 'DELETE' }, {})).resolves.toEqual({
        status: 204,
      });
    });

    it.each([{}, { chunked: 1 }])('fails a body over 1 MiB for good (%j)', async (args) => {
      await expect(call({ url: `${api.base}/big`, method: 'GET' }, args)).rejects.toMatchObject({
        name: 'ToolFailure',
        retryable: false,
        message: expect.stringContaining('larger than the 1 MiB'),
      });
    });
  });

  describe('when the API answers an error', () => {
    const statusCall = (code: number) => call({ url: `${api.base}/status/${code}` }, {});

    it.each([
      [400, 'invalid_arguments'],
      [404, 'not_found'],
      [409, 'conflict'],
      [422, 'invalid_arguments'],
    ])('reports %i as the service refusing, with its message', async (code, reason) => {
      await expect(statusCall(code)).rejects.toMatchObject({
        name: 'ToolRefusal',
        reason,
        message: expect.stringContaining(`answered ${code}: said ${code}`),
      });
    });

    it('fails refused credentials for good, never echoing the secret', async () => {
      const err = await call(
        { url: `${api.base}/status/401`, headers: { Authorization: 'API_TOKEN' } },
        {},
      ).catch((e: Error) => e);
      expect(err).toMatchObject({ name: 'ToolFailure', retryable: false });
      expect((err as Error).message).toContain('bad token [redacted]');
      expect((err as Error).message).not.toContain('s3cr3t');
    });

    it('fails a call whose secret is missing for good, before any request', async () => {
      await expect(
        call({ url: `${api.base}/x`, headers: { 'X-Api-Key': 'NOT_SET' } }, {}),
      ).rejects.toMatchObject({
        name: 'ToolFailure',
        retryable: false,
        message: expect.stringContaining('secret NOT_SET is not set'),
      });
      expect(api.seen).toEqual([]);
    });

    it.each([500, 503])('marks %i retryable', async (code) => {
      await expect(statusCall(code)).rejects.toMatchObject({
        name: 'ToolFailure',
        retryable: true,
      });
    });

    it('marks 429 retryable and names Retry-After', async () => {
      await expect(statusCall(429)).rejects.toMatchObject({
        name: 'ToolFailure',
        retryable: true,
        message: expect.stringContaining('(Retry-After: 7)'),
      });
    });
  });

  describe('when no answer comes', () => {
    it('ends the call when its signal aborts, retryable', async () => {
      const t0 = Date.now();
      await expect(
        call({ url: `${api.base}/slow`, method: 'GET' }, {}, ctx(AbortSignal.timeout(200))),
      ).rejects.toMatchObject({
        name: 'ToolFailure',
        retryable: true,
        message: expect.stringContaining('aborted'),
      });
      expect(Date.now() - t0).toBeLessThan(2_000);
    });

    it('marks an unreachable server retryable', async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const { port } = closed.address() as AddressInfo;
      await new Promise((r) => closed.close(r));
      await expect(call({ url: `http://127.0.0.1:${port}/x` }, {})).rejects.toMatchObject({
        name: 'ToolFailure',
        retryable: true,
        message: `could not reach 127.0.0.1:${port}: ECONNREFUSED`,
      });
    });
  });
});
