import { expectProblem, startGateway, type TestGateway } from './gateway.helper';

describe('rate limit per API key', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway('gwrate', {
      TETHER_GATEWAY_RATE_LIMIT: '3',
      TETHER_GATEWAY_RATE_WINDOW_MS: '60000',
    });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('answers 429 problem details past the limit, counting every route of one key together', async () => {
    const { key } = await gw.createKey('acme', 'u_1', ['admin']);
    const first = await gw.http('GET', '/v1/keys', { key });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    expect(
      (await gw.http('POST', '/v1/keys', { key, body: { subject: 'u_2', roles: ['user'] } }))
        .status,
    ).toBe(201);
    expect((await gw.http('GET', '/v1/keys', { key })).status).toBe(200);

    const limited = await gw.http('DELETE', '/v1/keys/key_01JDQ7ZK3V9W2M4N6P8R0T2V4X', { key });
    expectProblem(limited, 429, 'rate_limited');
    expect(limited.body.detail).toMatch(/3 requests per 60 s/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('gives each key its own budget', async () => {
    const { key } = await gw.createKey('acme', 'u_3', ['admin']);
    expect((await gw.http('GET', '/v1/keys', { key })).status).toBe(200);
  });

  it('leaves /health out of it', async () => {
    for (let i = 0; i < 5; i++) expect((await fetch(`${gw.baseUrl}/health`)).status).toBe(200);
  });
});
