import { expectHealthy, startIsolatedService, type IsolatedService } from '@tether/testing';
import { headers as natsHeaders, StringCodec } from 'nats';
import { CommandName, Header, streamNames, subjects } from '@tether/contracts';
import { type RunningService } from '@tether/service-kit';
import { approvalService } from '../src/approval.module';
import { loadConfig } from '../src/config';

describe('approval service', () => {
  let svc: IsolatedService;
  let sut: RunningService;
  let prefix: string;

  beforeAll(async () => {
    svc = await startIsolatedService('approval', (env) => approvalService(loadConfig(env)));
    ({ sut, prefix } = svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('listens on 3103 unless told otherwise', () => {
    expect(loadConfig({}).http.port).toBe(3103);
  });

  it('reports NATS and Postgres up on /health', () => expectHealthy(svc));

  it('creates the approval_requests table with its columns', async () => {
    const rows: Array<{ column_name: string; data_type: string; is_nullable: string }> =
      await sut.dataSource.query(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'approval_requests' ORDER BY ordinal_position`,
      );
    expect(rows.map((r) => r.column_name)).toEqual([
      'approval_id',
      'tenant_id',
      'run_id',
      'call_id',
      'tool',
      'tier',
      'args',
      'requested_by',
      'status',
      'expires_at',
      'quorum',
      'created_at',
      'decided_at',
    ]);
    expect(rows.find((r) => r.column_name === 'args')?.data_type).toBe('jsonb');
    expect(rows.filter((r) => r.is_nullable === 'YES').map((r) => r.column_name)).toEqual([
      'decided_at',
    ]);
    const applied = await sut.dataSource.query(`SELECT name FROM migrations_approval`);
    expect(applied).toEqual([{ name: 'ApprovalTables1763700000010' }]);
  });

  it('keeps decisions in the approval-decisions durable without consuming them yet', async () => {
    const jsm = await sut.nc.jetstreamManager();
    const info = await jsm.consumers.info(streamNames(prefix).cmd, 'approval-decisions');
    expect(info.config.filter_subject).toBe(`${prefix}.cmd.*.approval.decide`);

    const h = natsHeaders();
    h.set(Header.MsgId, `decide-${prefix}`);
    const body = {
      approvalId: 'apr_1',
      decision: 'approve',
      approverId: 'u_12',
      roles: ['approver'],
    };
    await sut.nc
      .jetstream()
      .publish(
        subjects.command(prefix, 'acme', CommandName.ApprovalDecide),
        StringCodec().encode(JSON.stringify(body)),
        { headers: h },
      );
    // Nothing pulls from the durable: the decision stays pending, undelivered.
    await new Promise((r) => setTimeout(r, 300));
    const after = await jsm.consumers.info(streamNames(prefix).cmd, 'approval-decisions');
    expect(after.num_pending).toBe(1);
    expect(after.delivered.consumer_seq).toBe(0);
  });
});
