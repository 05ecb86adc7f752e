import type { Msg, NatsConnection, Subscription } from 'nats';
import { encodeJson, requestService } from '@tether/event-store';
import { startIsolatedService, type IsolatedService } from '@tether/testing';
import type { CreatedApiKey } from '../src/application/api-key.requests';
import { loadConfig } from '../src/config';
import { gatewayService } from '../src/gateway.module';

export interface Reply {
  status: number;
  contentType: string;
  headers: Headers;
  body: Record<string, unknown> & { items?: Array<Record<string, unknown>> };
}

export interface TestGateway {
  svc: IsolatedService;
  prefix: string;
  baseUrl: string;
  /** `keys.create` over NATS, as an operator of the cluster bootstraps a tenant's keys. */
  createKey(
    tenantId: string,
    subject: string,
    roles: string[],
    extra?: Record<string, unknown>,
  ): Promise<CreatedApiKey>;
  keysOp<T>(op: 'keys.create' | 'keys.list' | 'keys.revoke', body: unknown): Promise<T>;
  http(method: string, path: string, o?: RequestOptions): Promise<Reply>;
  /** Makes a key expire now (there is no API to create a key that is already expired). */
  expire(keyId: string): Promise<void>;
  stop(): Promise<void>;
}

/** A gateway on its own prefix and database (the machine's NATS and Postgres), with extra env. */
export async function startGateway(
  label: string,
  env: Record<string, string> = {},
): Promise<TestGateway> {
  const svc = await startIsolatedService(label, (base) =>
    gatewayService(loadConfig({ ...base, ...env })),
  );
  const baseUrl = svc.healthUrl().replace(/\/health$/, '');
  const keysOp = <T>(op: string, body: unknown) =>
    requestService<T>(svc.sut.nc, svc.prefix, 'gateway', op, body, 5_000);
  return {
    svc,
    prefix: svc.prefix,
    baseUrl,
    keysOp,
    createKey: (tenantId, subject, roles, extra = {}) =>
      keysOp('keys.create', { tenantId, subject, roles, ...extra }),
    http: httpClient(baseUrl),
    async expire(keyId) {
      await svc.sut.dataSource.query(
        `UPDATE gateway_api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [keyId],
      );
    },
    stop: () => svc.stop(),
  };
}

/** Keys made over NATS, by name: `{ name: [tenant, subject, roles] }` → `{ name: clear key }`. */
export async function createKeys<N extends string>(
  gw: TestGateway,
  wanted: Record<N, readonly [tenant: string, subject: string, roles: readonly string[]]>,
): Promise<Record<N, string>> {
  const keys = {} as Record<N, string>;
  for (const [name, [tenant, subject, roles]] of Object.entries(wanted) as Array<
    [N, readonly [string, string, readonly string[]]]
  >)
    keys[name] = (await gw.createKey(tenant, subject, [...roles])).key;
  return keys;
}

/** `keys.create` over NATS on a gateway of `prefix`, as an operator bootstraps a tenant; the clear key. */
export async function createKeyOverBus(
  nc: NatsConnection,
  prefix: string,
  tenantId: string,
  subject: string,
  roles: string[],
): Promise<string> {
  const created = await requestService<CreatedApiKey>(
    nc,
    prefix,
    'gateway',
    'keys.create',
    { tenantId, subject, roles },
    5_000,
  );
  return created.key;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** Requests to a gateway at `baseUrl`, with a key as bearer token and a JSON body; answers parsed. */
export function httpClient(
  baseUrl: string,
): (method: string, path: string, o?: RequestOptions) => Promise<Reply> {
  return async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.key !== undefined) headers.authorization = `Bearer ${o.key}`;
    const hasBody = o.body !== undefined || o.raw !== undefined;
    if (hasBody) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
    });
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      headers: res.headers,
      body: text ? JSON.parse(text) : {},
    };
  };
}

/** Asserts an RFC 9457 problem answer with its status and code. */
export function expectProblem(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: reply.body.code }).toEqual({ status, code });
  expect(reply.contentType).toMatch(/^application\/problem\+json/);
  expect(reply.body).toEqual(
    expect.objectContaining({
      type: `https://tether.dev/problems/${code}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: expect.stringMatching(/^\//),
      code,
    }),
  );
}

/** A request a stand-in service received: the op (the subject after `<P>.svc.<service>.`) and the body. */
export interface Received {
  op: string;
  body: Record<string, unknown>;
}

/** What service-kit's transport answers: `{ ok, result }` or `{ ok: false, error }`. */
export type StandInAnswer =
  | { ok: true; result: unknown }
  | { ok: false; error: { name: string; code?: string; message: string } };

/**
 * A stand-in for another service on the real NATS: records every request to
 * `<P>.svc.<service>.<op>` and answers with `answer` (undefined: never answers).
 */
export function serviceStandIn(
  nc: NatsConnection,
  prefix: string,
  service: string,
  received: Received[],
  answer: (op: string, body: Record<string, unknown>) => StandInAnswer | undefined,
): Subscription {
  const root = `${prefix}.svc.${service}.`;
  return nc.subscribe(`${root}>`, {
    callback: (_err, msg: Msg) => {
      const op = msg.subject.slice(root.length);
      const body = JSON.parse(Buffer.from(msg.data).toString('utf8')) as Record<string, unknown>;
      received.push({ op, body });
      const reply = answer(op, body);
      if (reply) msg.respond(encodeJson(reply));
    },
  });
}
