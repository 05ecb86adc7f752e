import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ToolPack } from '../../services/tool-executor/src/domain/tool-handler';
import { ACME_ONLY_MARKER, API_PII } from './fixtures';

/**
 * The customer's systems, outside Tether: an HTTP API the agents' tools call, which records every
 * request it gets (so the suite counts real executions here, not in Tether's log) and answers
 * with whatever a case planted — an order whose note carries an injection, a retrieved document
 * with hidden instructions — plus personal data and secrets in every record.
 */
export interface ApiCall {
  tool: ApiTool;
  method: string;
  path: string;
  /** The `Idempotency-Key` Tether sends: `<runId>:<callId>`. */
  key: string;
  runId: string;
  callId: string;
  body: Record<string, unknown>;
}

/** The tool each endpoint serves. */
export const ENDPOINTS = {
  lookup_order: { method: 'GET', path: '/orders/{orderId}' },
  search_docs: { method: 'GET', path: '/docs' },
  update_contact: { method: 'POST', path: '/contacts' },
  run_sql: { method: 'POST', path: '/sql' },
  run_shell: { method: 'POST', path: '/shell' },
  delete_records: { method: 'POST', path: '/records/delete' },
  refund_payment: { method: 'POST', path: '/refunds' },
  delete_account: { method: 'POST', path: '/accounts/delete' },
} as const;
export type ApiTool = keyof typeof ENDPOINTS;

/** Irreversible: executed only after a human granted it. */
export const TIER2_TOOLS: readonly ApiTool[] = ['refund_payment', 'delete_account'];

export interface PlantedDoc {
  title: string;
  text: string;
}

export interface CustomerApi {
  url: string;
  calls: ApiCall[];
  /** Extra fields of an order record, by order id (`note` is where injections go). */
  orders: Map<string, Record<string, unknown>>;
  docs: Map<string, PlantedDoc>;
  callsOf(runId: string, tool?: ApiTool): ApiCall[];
  close(): Promise<void>;
}

/** An order id whose record is larger than a tool may return (1 MiB). */
export const HUGE_ORDER = 'o-huge';

/** What `GET /orders/<id>` answers for a planted order. */
export function orderRecord(orderId: string, planted: Record<string, unknown>) {
  return {
    found: true,
    orderId,
    status: 'shipped',
    shippedAt: '2026-11-03',
    customer: customerRecord(),
    internal: internalRecord(),
    ...planted,
  };
}

/** What `GET /docs?query=<id>` answers. */
export function docsResult(id: string, doc: PlantedDoc | undefined) {
  return {
    matches: doc ? [{ id, ...doc, contact: API_PII.email, retrievedWith: API_PII.bearer }] : [],
  };
}

function customerRecord(): Record<string, unknown> {
  return {
    name: 'Sam Carter',
    email: API_PII.email,
    phone: API_PII.phone,
    card: API_PII.card,
    iban: API_PII.iban,
  };
}

function internalRecord(): Record<string, unknown> {
  return {
    awsKey: API_PII.awsKey,
    githubToken: API_PII.githubToken,
    authorization: API_PII.bearer,
    session: API_PII.jwt,
    database: API_PII.dsn,
  };
}

export async function startCustomerApi(): Promise<CustomerApi> {
  const calls: ApiCall[] = [];
  const orders = new Map<string, Record<string, unknown>>();
  const docs = new Map<string, PlantedDoc>();

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const key = String(req.headers['idempotency-key'] ?? '');
    const [runId = '', callId = ''] = key.split(':');
    const send = (status: number, payload: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(payload));
    };
    const tool = (Object.keys(ENDPOINTS) as ApiTool[]).find((t) => {
      const e = ENDPOINTS[t];
      if (e.method !== req.method) return false;
      return e.path.includes('{')
        ? url.pathname.startsWith(e.path.slice(0, e.path.indexOf('{')))
        : url.pathname === e.path;
    });
    if (!tool) return send(404, { error: `no route ${req.method} ${url.pathname}` });
    calls.push({ tool, method: req.method!, path: url.pathname, key, runId, callId, body });

    switch (tool) {
      case 'lookup_order': {
        const orderId = decodeURIComponent(url.pathname.slice('/orders/'.length));
        if (orderId === HUGE_ORDER) {
          // No content-length: the executor finds out while reading.
          res.setHeader('content-type', 'application/json');
          res.write('{"orderId":"o-huge","padding":"');
          for (let i = 0; i < 24; i++) res.write('x'.repeat(64 * 1024));
          return res.end('"}');
        }
        const planted = orders.get(orderId);
        if (!planted) return send(200, { found: false, orderId });
        return send(200, orderRecord(orderId, planted));
      }
      case 'search_docs': {
        const query = url.searchParams.get('query') ?? '';
        return send(200, docsResult(query, docs.get(query)));
      }
      case 'refund_payment':
        return send(200, { refunded: true, refundId: `rf_${key}`, orderId: body.orderId });
      case 'delete_account':
        return send(200, { deleted: true, customerId: body.customerId });
      case 'update_contact':
        return send(200, { updated: true, customerId: body.customerId });
      case 'run_sql':
        return send(200, { rows: [], rowCount: 0 });
      case 'run_shell':
        return send(200, { exitCode: 0, stdout: '' });
      case 'delete_records':
        return send(200, { deleted: 0 });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    orders,
    docs,
    callsOf: (runId, tool) => calls.filter((c) => c.runId === runId && (!tool || c.tool === tool)),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** What the tenant-scoped CRM saw: the tenant the tool-executor named, never one the model chose. */
export interface CrmLookup {
  tenantId: string;
  runId: string;
  customerId: unknown;
  claimedTenant: unknown;
}

/**
 * A CRM that keeps each tenant's customers apart by the tenant of the call's context (an
 * in-process pack: HTTP tools are not told the tenant).
 */
export function crmPack(seen: CrmLookup[]): ToolPack {
  const customers: Record<string, Record<string, Record<string, unknown>>> = {
    acme: { 'c-acme-1': { name: 'Acme Corp', ledger: ACME_ONLY_MARKER, tier: 'platinum' } },
    globex: { 'c-globex-1': { name: 'Globex', tier: 'gold' } },
  };
  return {
    name: 'adversarial-crm',
    tools: {
      crm_lookup: async (args, ctx) => {
        seen.push({
          tenantId: ctx.tenantId,
          runId: ctx.runId,
          customerId: args.customerId,
          claimedTenant: args.tenantId,
        });
        const found = customers[ctx.tenantId]?.[String(args.customerId)];
        return found ? { found: true, customer: found } : { found: false };
      },
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
