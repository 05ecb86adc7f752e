import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WebhookSender,
  jsonPayload,
  slackPayload,
  verifyWebhook,
  type WebhookLogger,
  type WebhookSenderOptions,
} from '../src';
import { aWebhookMessage } from './fixtures/webhook-message.builder';

const SECRET = 'whsec_int_0123456789abcdef';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver concluded with `verifyWebhook` on the raw body. */
  verified: boolean;
  at: number;
}
type Reply = (res: ServerResponse) => void;

const ok: Reply = (res) => res.writeHead(200).end('ok');
const status =
  (code: number, headers: Record<string, string> = {}, body = ''): Reply =>
  (res) =>
    res.writeHead(code, headers).end(body);
const hang: Reply = () => undefined;

/**
 * A receiver on 127.0.0.1 that verifies every request as an operator's would. Each test posts
 * to its own path and scripts that path's replies, so a late request of one test (a timed-out
 * attempt still arriving) cannot be mistaken for another's.
 */
describe(`${WebhookSender.name} against a real receiver`, () => {
  let server: Server;
  let base: string;
  const scripts = new Map<string, Reply[]>();
  const received = new Map<string, Received[]>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const body = Buffer.concat(chunks).toString('utf8');
        const header = req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()];
        const verified = verifyWebhook(SECRET, body, typeof header === 'string' ? header : null, {
          nowSec: Math.floor(Date.now() / 1000),
        });
        received.set(path, [
          ...(received.get(path) ?? []),
          { headers: req.headers, body, verified, at: Date.now() },
        ]);
        (scripts.get(path)?.shift() ?? ok)(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function receiver(path: string, ...replies: Reply[]) {
    scripts.set(path, replies);
    return { url: `${base}${path}`, requests: () => received.get(path) ?? [] };
  }

  function logs() {
    const lines: { level: string; obj: object; msg: string }[] = [];
    const logger: WebhookLogger = {
      debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
      warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    };
    return { logger, lines };
  }

  const sender = (url: string, options: Partial<WebhookSenderOptions> = {}) =>
    new WebhookSender({ url, secret: SECRET, format: 'json', ...options });

  it('delivers a signed JSON body with its id and event headers', async () => {
    const hook = receiver('/hooks/success');
    const msg = aWebhookMessage();

    const result = await sender(hook.url).send(msg);

    expect(result).toEqual({ delivered: true, attempts: 1, status: 200 });
    const [request] = hook.requests();
    expect(request.verified).toBe(true);
    expect(request.headers[WEBHOOK_ID_HEADER.toLowerCase()]).toBe(msg.id);
    expect(request.headers[WEBHOOK_EVENT_HEADER.toLowerCase()]).toBe('approval.requested');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual(jsonPayload(msg));
  });

  it('retries after a 503 with the same webhook id, each attempt signed', async () => {
    const hook = receiver('/hooks/retry-503', status(503));
    const { logger, lines } = logs();
    const msg = aWebhookMessage({ id: 'whk_retry_503' });

    const result = await sender(hook.url, { logger }).send(msg);

    expect(result).toEqual({ delivered: true, attempts: 2, status: 200 });
    const requests = hook.requests();
    expect(requests.map((r) => r.headers[WEBHOOK_ID_HEADER.toLowerCase()])).toEqual([
      'whk_retry_503',
      'whk_retry_503',
    ]);
    expect(requests.every((r) => r.verified)).toBe(true);
    expect(requests[1].body).toBe(requests[0].body);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'webhook attempt failed, retrying'],
      ['debug', 'webhook delivered'],
    ]);
    expect(lines[0].obj).toMatchObject({
      webhookId: 'whk_retry_503',
      attempt: 1,
      reason: 'status 503',
    });
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    const hook = receiver('/hooks/429', status(429, { 'retry-after': '1' }));

    const result = await sender(hook.url).send(aWebhookMessage());

    expect(result).toEqual({ delivered: true, attempts: 2, status: 200 });
    const [first, second] = hook.requests();
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
  });

  it('caps a long Retry-After', async () => {
    const hook = receiver('/hooks/429-capped', status(429, { 'retry-after': '3600' }));

    const result = await sender(hook.url, { maxRetryAfterMs: 50 }).send(aWebhookMessage());

    expect(result).toEqual({ delivered: true, attempts: 2, status: 200 });
    const [first, second] = hook.requests();
    // Capped at 50 ms instead of an hour; the bound leaves room for a loaded machine.
    expect(second.at - first.at).toBeLessThan(5_000);
  });

  it('gives up after maxAttempts of 5xx and reports the last status', async () => {
    const hook = receiver('/hooks/down', status(500), status(502), status(500, {}, 'db down'));

    const result = await sender(hook.url, { maxAttempts: 3 }).send(aWebhookMessage());

    expect(result).toEqual({
      delivered: false,
      attempts: 3,
      status: 500,
      error: 'receiver answered 500 after 3 attempts: db down',
    });
    expect(hook.requests()).toHaveLength(3);
  });

  it('times out an attempt that gets no answer, and retries it', async () => {
    const hook = receiver('/hooks/hang', hang, hang);

    const result = await sender(hook.url, { timeoutMs: 200, maxAttempts: 2 }).send(
      aWebhookMessage(),
    );

    expect(result).toEqual({ delivered: false, attempts: 2, error: 'timed out after 200 ms' });
    expect(hook.requests()).toHaveLength(2);
  });

  it.each([
    [
      'a 400, and keeps the start of its explanation',
      status(400, {}, 'invalid_blocks'),
      400,
      'receiver answered 400: invalid_blocks',
    ],
    [
      'a redirect, and does not follow it',
      status(302, { location: '/hooks/redirected-to' }),
      302,
      'receiver answered 302 (redirects are not followed)',
    ],
  ])('does not retry %s', async (_case, reply, code, error) => {
    const hook = receiver(`/hooks/once-${code}`, reply);

    const result = await sender(hook.url).send(aWebhookMessage());

    expect(result).toEqual({ delivered: false, attempts: 1, status: code, error });
    expect(hook.requests()).toHaveLength(1);
    expect(received.has('/hooks/redirected-to')).toBe(false);
  });

  it('sends the Slack format, signed like the JSON one', async () => {
    const hook = receiver('/hooks/slack');
    const msg = aWebhookMessage({ title: 'Refund <$500> & more' });

    const result = await sender(hook.url, { format: 'slack' }).send(msg);

    expect(result).toEqual({ delivered: true, attempts: 1, status: 200 });
    const [request] = hook.requests();
    expect(request.verified).toBe(true);
    expect(JSON.parse(request.body)).toEqual(slackPayload(msg));
    expect(JSON.parse(request.body).text).toBe('Refund &lt;$500&gt; &amp; more');
  });

  it('retries network errors and keeps the secret and URL path out of errors and logs', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { logger, lines } = logs();
    const url = `http://127.0.0.1:${port}/services/T000/B000/tokenInThePath`;

    const result = await sender(url, { maxAttempts: 2, logger }).send(aWebhookMessage());

    expect(result).toMatchObject({ delivered: false, attempts: 2 });
    expect(result.error).toMatch(/^network error: fetch failed \(ECONNREFUSED\)$/);
    const everything = JSON.stringify({ result, lines });
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('tokenInThePath');
    expect(lines.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'webhook not delivered',
      obj: { target: `http://127.0.0.1:${port}`, attempts: 2 },
    });
  });
});
