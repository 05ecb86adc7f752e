import { streamNames } from '@tether/contracts';
import { expectHealthy } from '@tether/testing';
import { loadConfig } from '../src/config';
import { expectProblem, startGateway, type TestGateway } from './gateway.helper';

describe('gateway service', () => {
  let gw: TestGateway;
  let admin: string;

  beforeAll(async () => {
    gw = await startGateway('gateway', { TETHER_GATEWAY_BODY_LIMIT_BYTES: '65536' });
    admin = (await gw.createKey('acme', 'u_admin', ['admin'])).key;
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('listens on 3000 with generous limits unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({
      http: { port: 3000 },
      api: {
        rateLimit: { limit: 600, windowMs: 60_000 },
        bodyLimitBytes: 524_288,
        serviceTimeoutMs: 5_000,
        sseHeartbeatMs: 15_000,
      },
    });
    expect(() => loadConfig({ TETHER_GATEWAY_RATE_LIMIT: '0' })).toThrow(
      /TETHER_GATEWAY_RATE_LIMIT/,
    );
  });

  it('reports NATS and Postgres up on /health, without a key', () => expectHealthy(gw.svc));

  it('answers /ready without a key', async () => {
    expect((await fetch(`${gw.baseUrl}/ready`)).status).toBe(200);
  });

  it('provisions the bus streams and its tables, by migration', async () => {
    const jsm = await gw.svc.sut.nc.jetstreamManager();
    for (const name of Object.values(streamNames(gw.prefix)))
      expect((await jsm.streams.info(name)).config.name).toBe(name);
    const tables: Array<{ table_name: string }> = await gw.svc.sut.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'gateway_api_keys',
      'gateway_run_requests',
      'migrations_gateway',
    ]);
  });

  describe('OpenAPI', () => {
    it('serves the document at /docs-json, with bearer auth and every route', async () => {
      const res = await fetch(`${gw.baseUrl}/docs-json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as {
        openapi: string;
        paths: Record<
          string,
          Record<string, { security?: unknown[]; responses: Record<string, unknown> }>
        >;
        components: {
          securitySchemes: Record<string, unknown>;
          schemas: Record<string, { properties: Record<string, unknown> }>;
        };
      };
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components.securitySchemes).toMatchObject({
        bearer: { type: 'http', scheme: 'bearer' },
        'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      });
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/keys',
          '/v1/keys/{keyId}',
          '/v1/approvals',
          '/v1/approvals/{approvalId}',
          '/v1/approvals/{approvalId}/decision',
          '/v1/runs',
          '/v1/runs/{runId}',
          '/v1/runs/{runId}/cancel',
          '/v1/runs/{runId}/events',
          '/v1/runs/{runId}/timeline',
        ]),
      );
      const decide = doc.paths['/v1/approvals/{approvalId}/decision'].post;
      expect(decide.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
      expect(Object.keys(decide.responses)).toEqual(
        expect.arrayContaining(['200', '401', '403', '404', '409', '413', '422', '429', '503']),
      );
      const timeline = doc.paths['/v1/runs/{runId}/timeline'].get.responses;
      expect(timeline['200']).toMatchObject({
        content: {
          'application/json': { schema: { $ref: '#/components/schemas/RunTimelineDoc' } },
        },
      });
      expect(Object.keys(timeline)).toEqual(expect.arrayContaining(['400', '401', '403', '404']));
      expect(Object.keys(doc.components.schemas.RunTimelineDoc.properties)).toEqual([
        'run',
        'steps',
        'modelCalls',
        'toolCalls',
        'approvals',
        'guardrails',
      ]);
      expect(doc.components.schemas.ToolCallViewDoc.properties).toMatchObject({
        status: { enum: expect.arrayContaining(['denied', 'awaiting_approval']) },
        startedAt: { type: 'string', format: 'date-time', nullable: true },
      });
    });

    it('serves the UI at /docs', async () => {
      const res = await fetch(`${gw.baseUrl}/docs`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/swagger/i);
    });
  });

  describe('errors', () => {
    it('answers an unknown route with a 404 problem', async () => {
      expectProblem(await gw.http('GET', '/v1/nothing-here', { key: admin }), 404, 'not_found');
    });

    it('answers malformed JSON with a 400 problem', async () => {
      expectProblem(
        await gw.http('POST', '/v1/keys', { key: admin, raw: '{"subject": "u_1", roles' }),
        400,
        'bad_request',
      );
    });

    it('refuses a body over the limit with a 413 problem, before authentication', async () => {
      const big = { subject: 'u_1', roles: ['user'], name: 'x'.repeat(70_000) };
      expectProblem(
        await gw.http('POST', '/v1/keys', { key: admin, body: big }),
        413,
        'payload_too_large',
      );
      expectProblem(await gw.http('POST', '/v1/keys', { body: big }), 413, 'payload_too_large');
    });

    it('takes a body just under the limit to validation', async () => {
      const res = await gw.http('POST', '/v1/keys', {
        key: admin,
        body: { subject: 'u_1', roles: ['user'], name: 'x'.repeat(60_000) },
      });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.problems).toEqual([expect.stringMatching(/name/)]);
    });
  });
});
