import { headers as natsHeaders, type NatsConnection } from 'nats';
import { streamNames, subjects, type StartRun, type TetherEvent } from '@tether/contracts';
import { EventStore, deleteStreams, encodeJson } from '@tether/event-store';
import { baseConfig, startService, type RunningService } from '@tether/service-kit';
import {
  connectTestNats,
  createTestDatabase,
  eventually,
  testEnv,
  uniquePrefix,
  type TestDatabase,
} from '../libs/testing/src/infra.helper';
import { routeNotices } from '../libs/testing/src/notice-router.helper';
import {
  orchestratorService,
  type OrchestratorPorts,
} from '../services/orchestrator/src/orchestrator.module';
import {
  toolExecutorService,
  type ToolExecutorPorts,
} from '../services/tool-executor/src/tool-executor.module';
import { approvalService } from '../services/approval/src/approval.module';
import { traceStoreService } from '../services/trace-store/src/trace-store.module';
import { budgetService } from '../services/budget/src/budget.module';
import { loadConfig as budgetConfig } from '../services/budget/src/config';
import { BUILT_IN_PRICES, type PriceTable } from '../libs/models/src';
import { loadConfig as gatewayConfig } from '../services/gateway/src/config';
import { gatewayService } from '../services/gateway/src/gateway.module';
import { testAgentsDir } from './agents-dir';

export interface TestStack {
  prefix: string;
  db: TestDatabase;
  nc: NatsConnection;
  store: EventStore;
  services: Record<string, RunningService>;
  startRun(
    tenant: string,
    body: Partial<StartRun> & { runId: string },
    msgId?: string,
  ): Promise<void>;
  publishRaw(subject: string, data: string | Uint8Array, msgId?: string): Promise<void>;
  waitForEnd(tenant: string, runId: string, timeoutMs?: number): Promise<TetherEvent[]>;
  /** The audit records of `_CTL` for one approval (votes and refusals), as the approval service wrote them. */
  approvalAudits(tenant: string, approvalId: string): Promise<Record<string, unknown>[]>;
  /** The `command.rejected` record of the command with this `Nats-Msg-Id`, once it is recorded. */
  rejectionOf(tenant: string, requestId: string): Promise<Record<string, unknown>>;
  /** Stops one service (as a crash or a deploy would); `up` starts it again on the same streams and database. */
  down(name: ServiceName): Promise<void>;
  up(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

export type ServiceName =
  'orchestrator' | 'tool-executor' | 'trace-store' | 'approval' | 'budget' | 'gateway';

export interface StackOptions {
  label: string;
  agentsDir?: string;
  services?: ServiceName[];
  orchestrator?: OrchestratorPorts;
  toolExecutor?: ToolExecutorPorts;
  ackWaitMs?: number;
  carrierApiUrl?: string;
  /** The orchestrator's price table (default: the built-in one). */
  prices?: PriceTable;
  /** The orchestrator's model provider keys and addresses (none by default: scripted models only). */
  providerKeys?: { openai?: string; anthropic?: string; openaiCompatible?: string };
  providerUrls?: { openai?: string; anthropic?: string };
  /** Events between the orchestrator's snapshots of a run (default 100). */
  snapshotEvery?: number;
  /** Extra environment of the budget service (`TETHER_BUDGET_*`). */
  budgetEnv?: NodeJS.ProcessEnv;
}

const TERMINAL = new Set([
  'run.completed',
  'run.failed',
  'run.aborted',
  'run.cancelled',
  'run.rejected',
]);

/** Boots the chosen services in this process against the real NATS and Postgres, isolated by prefix and database. */
export async function startStack(o: StackOptions): Promise<TestStack> {
  const prefix = uniquePrefix(o.label);
  const db = await createTestDatabase(o.label);
  const env = {
    TETHER_PREFIX: prefix,
    TETHER_NATS_URL: testEnv.natsUrl,
    DATABASE_URL: db.url,
    TETHER_HTTP_PORT: '0',
    LOG_LEVEL: 'error',
    TETHER_ACK_WAIT_MS: String(o.ackWaitMs ?? 30_000),
  };
  const agents = o.agentsDir ? undefined : testAgentsDir();
  const agentsDir = o.agentsDir ?? agents!.dir;
  const wanted: ServiceName[] = o.services ?? [
    'trace-store',
    'budget',
    'tool-executor',
    'orchestrator',
  ];
  const boot = async (name: ServiceName): Promise<RunningService> => {
    if (name === 'trace-store')
      return startService(traceStoreService(baseConfig(env, name, 'test', 0)));
    if (name === 'approval')
      return startService(
        approvalService({ ...baseConfig(env, name, 'test', 0), agentsDir, sweepMs: 200 }),
      );
    if (name === 'gateway') return startService(gatewayService(gatewayConfig(env)));
    if (name === 'budget')
      return startService(budgetService(budgetConfig({ ...env, ...o.budgetEnv })));
    if (name === 'tool-executor')
      return startService(
        toolExecutorService(
          {
            ...baseConfig(env, name, 'test', 0),
            agentsDir,
            carrierApiUrl: o.carrierApiUrl ?? 'http://127.0.0.1:9',
          },
          o.toolExecutor,
        ),
      );
    if (name === 'orchestrator')
      return startService(
        orchestratorService(
          {
            ...baseConfig(env, name, 'test', 0),
            agentsDir,
            concurrency: 64,
            modelMaxAttempts: 3,
            modelTimeoutMs: 10_000,
            providerKeys: o.providerKeys ?? {},
            providerUrls: o.providerUrls ?? {},
            // As in production: priced calls need the budget service (a stack without it fails closed).
            budget: { enforce: true, waitMs: 10_000 },
            prices: o.prices ?? BUILT_IN_PRICES,
            snapshotEvery: o.snapshotEvery ?? 100,
          },
          o.orchestrator,
        ),
      );
    throw new Error(`unknown service ${name}`);
  };
  const services: Record<string, RunningService> = {};
  for (const name of wanted) services[name] = await boot(name);
  const nc = await connectTestNats(`${o.label}-client`);
  const store = new EventStore(nc, prefix);
  // The trace-store's projector sends the budget ledger and the approval queue their notices.
  const needsNotices = wanted.includes('budget') || wanted.includes('approval');
  const router =
    needsNotices && !wanted.includes('trace-store') ? await routeNotices(nc, prefix) : undefined;

  const publishRaw = async (subject: string, data: string | Uint8Array, msgId?: string) => {
    const h = natsHeaders();
    if (msgId) h.set('Nats-Msg-Id', msgId);
    await nc
      .jetstream()
      .publish(subject, typeof data === 'string' ? new TextEncoder().encode(data) : data, {
        headers: h,
      });
  };

  return {
    prefix,
    db,
    nc,
    store,
    services,
    publishRaw,
    async startRun(tenant, body, msgId) {
      const full = {
        agent: 'support-agent',
        input: 'Where is order 1042?',
        userId: 'u_88',
        roles: ['user'],
        ...body,
      };
      await publishRaw(
        subjects.command(prefix, tenant, 'run.start'),
        encodeJson(full),
        msgId ?? `req-${body.runId}`,
      );
    },
    async waitForEnd(tenant, runId, timeoutMs = 15_000) {
      return eventually(
        async () => {
          const events = (await store.read(tenant, runId)).map((s) => s.event);
          return events.some((e) => TERMINAL.has(e.type)) ? events : undefined;
        },
        `run ${runId} to end`,
        timeoutMs,
      );
    },
    async approvalAudits(tenant, approvalId) {
      const jsm = await nc.jetstreamManager();
      const ctl = streamNames(prefix).ctl;
      const info = await jsm.streams.info(ctl);
      const out: Record<string, unknown>[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(ctl, { seq }).catch(() => undefined);
        if (!m || m.subject !== subjects.approvalAudit(prefix, tenant)) continue;
        const body = JSON.parse(Buffer.from(m.data).toString()) as Record<string, unknown>;
        if (body.approvalId === approvalId) out.push(body);
      }
      return out;
    },
    rejectionOf(tenant, requestId) {
      return eventually(async () => {
        try {
          const m = await (
            await nc.jetstreamManager()
          ).streams.getMessage(streamNames(prefix).ctl, {
            last_by_subj: subjects.rejectedCommands(prefix, tenant),
          });
          const body = JSON.parse(Buffer.from(m.data).toString());
          return body.requestId === requestId ? body : undefined;
        } catch {
          return undefined;
        }
      }, `command.rejected of ${requestId}`);
    },
    async down(name) {
      await services[name]?.close();
      delete services[name];
    },
    async up(name) {
      services[name] = await boot(name);
    },
    async stop() {
      for (const name of [...wanted].reverse()) await services[name]?.close();
      await router?.stop();
      await deleteStreams(await nc.jetstreamManager(), prefix);
      await nc.close();
      await db.drop();
      agents?.remove();
    },
  };
}
