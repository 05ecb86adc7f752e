import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type TestStack } from '../stack';

/** The carrier's tracking API is outside Tether: a small local HTTP server stands in for it. */
describe('an HTTP-backed tool against a live carrier API', () => {
  let stack: TestStack;
  let carrier: Server;
  const seen: { path: string; key: string | undefined }[] = [];

  beforeAll(async () => {
    carrier = createServer((req, res) => {
      seen.push({ path: req.url ?? '', key: req.headers['idempotency-key'] as string | undefined });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ orderId: '1042', status: 'in_transit', eta: '2026-11-24' }));
    });
    await new Promise<void>((r) => carrier.listen(0, '127.0.0.1', r));
    const { port } = carrier.address() as AddressInfo;
    stack = await startStack({ label: 'carrier', carrierApiUrl: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => carrier.close(r));
  });

  it('calls the API once with the idempotency key and records its answer', async () => {
    await stack.startRun('acme', {
      runId: 'run_track1',
      agent: 'outage-agent',
      input: 'Where is my parcel?',
    });
    const events = await stack.waitForEnd('acme', 'run_track1');
    const completed = events.find((e) => e.type === 'tool.completed');
    expect(completed?.data).toMatchObject({
      tool: 'track_parcel',
      result: { status: 'in_transit' },
    });
    expect(seen).toEqual([{ path: '/track/1042', key: 'run_track1:call_1_0' }]);
  });
});
