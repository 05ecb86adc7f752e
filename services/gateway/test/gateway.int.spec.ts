import { expectHealthy, startIsolatedService, type IsolatedService } from '@tether/testing';
import { streamNames } from '@tether/contracts';
import { type RunningService } from '@tether/service-kit';
import { loadConfig } from '../src/config';
import { gatewayService } from '../src/gateway.module';

describe('gateway service', () => {
  let svc: IsolatedService;
  let sut: RunningService;
  let prefix: string;

  beforeAll(async () => {
    svc = await startIsolatedService('gateway', (env) => gatewayService(loadConfig(env)));
    ({ sut, prefix } = svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('listens on 3000 unless told otherwise', () => {
    expect(loadConfig({}).http.port).toBe(3000);
  });

  it('reports NATS and Postgres up on /health', () => expectHealthy(svc));

  it('provisions the bus streams and no tables of its own', async () => {
    const jsm = await sut.nc.jetstreamManager();
    for (const name of Object.values(streamNames(prefix)))
      expect((await jsm.streams.info(name)).config.name).toBe(name);
    const tables: Array<{ table_name: string }> = await sut.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations_gateway'`,
    );
    expect(tables).toEqual([]);
  });
});
