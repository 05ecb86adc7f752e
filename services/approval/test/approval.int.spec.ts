import {
  eventually,
  expectHealthy,
  startIsolatedService,
  type IsolatedService,
} from '@tether/testing';
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

  it('creates the approval queue table with its columns, by migrations', async () => {
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
      'kind',
      'agent',
      'risk',
      'context',
      'on_expiry',
      'votes',
      'edited_args',
    ]);
    expect(rows.filter((r) => r.is_nullable === 'YES').map((r) => r.column_name)).toEqual([
      'decided_at',
      'edited_args',
    ]);
    const applied = await sut.dataSource.query(`SELECT name FROM migrations_approval ORDER BY id`);
    expect(applied).toEqual([
      { name: 'ApprovalTables1763700000010' },
      { name: 'ApprovalQueue1763900000010' },
    ]);
  });

  it('consumes decisions from the bus and records one it cannot read as command.rejected', async () => {
    const jsm = await sut.nc.jetstreamManager();
    const info = await jsm.consumers.info(streamNames(prefix).cmd, 'approval-decisions');
    expect(info.config.filter_subject).toBe(`${prefix}.cmd.*.approval.decide`);

    const h = natsHeaders();
    h.set(Header.MsgId, `decide-${prefix}`);
    await sut.nc
      .jetstream()
      .publish(
        subjects.command(prefix, 'acme', CommandName.ApprovalDecide),
        StringCodec().encode(JSON.stringify({ approvalId: 'apr_1', decision: 'maybe' })),
        { headers: h },
      );
    const rejected = await eventually(async () => {
      try {
        const m = await jsm.streams.getMessage(streamNames(prefix).ctl, {
          last_by_subj: subjects.rejectedCommands(prefix, 'acme'),
        });
        return JSON.parse(Buffer.from(m.data).toString()) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    }, 'the rejection');
    expect(rejected).toMatchObject({
      type: 'command.rejected',
      requestId: `decide-${prefix}`,
      reason: 'invalid_command',
      message: expect.stringContaining('decision'),
    });
    const after = await jsm.consumers.info(streamNames(prefix).cmd, 'approval-decisions');
    expect(after.num_pending + after.num_ack_pending).toBe(0);
  });
});
