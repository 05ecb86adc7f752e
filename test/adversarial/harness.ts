import {
  ApprovalOp,
  CommandName,
  TOOL_EXECUTOR,
  streamNames,
  subjects,
  type ApprovalPage,
  type ExecuteTool,
  type StartRun,
  type TetherEvent,
  type ToolExecuted,
} from '@tether/contracts';
import { encodeJson, requestService, type RemoteError } from '@tether/event-store';
import { fold, isActive, nextAction } from '@tether/run-domain';
import { eventually } from '../../libs/testing/src/infra.helper';
import type { TestStack } from '../stack';
import type { CompromisedModel } from './compromised-model';
import type { CrmLookup, CustomerApi } from './customer-api';

export const TERMINAL: ReadonlySet<string> = new Set([
  'run.completed',
  'run.failed',
  'run.aborted',
  'run.cancelled',
  'run.rejected',
]);

/** The user every run acts for, unless a case says otherwise; never an approver of its own calls. */
export const USER = 'u_customer';
export const APPROVER = { approverId: 'u_supervisor', roles: ['approver'] };

/** A message of one of the `_CTL` or `_CMD` streams, decoded. */
export interface StoredMessage {
  subject: string;
  seq: number;
  body: string;
}

/** What the suite can do to and see of the stack while a case runs. */
export class Harness {
  constructor(
    readonly stack: TestStack,
    readonly api: CustomerApi,
    readonly crm: CrmLookup[],
    readonly model: CompromisedModel,
  ) {}

  /**
   * The tool results the model was sent in the conversation that began with `input` (as the
   * provider put them on the wire: wrapped when flagged, a notice when withheld).
   */
  modelSaw(input: string): string[] {
    const seen = new Set<string>();
    for (const r of this.model.requests) {
      if (r.messages.find((m) => m.role === 'user')?.content !== input) continue;
      for (const m of r.messages) if (m.role === 'tool') seen.add(String(m.content));
    }
    return [...seen];
  }

  read = async (tenant: string, runId: string): Promise<TetherEvent[]> =>
    (await this.stack.store.read(tenant, runId)).map((s) => s.event);

  async start(
    tenant: string,
    runId: string,
    body: Partial<StartRun> & { agent: string; input: string },
    msgId?: string,
  ): Promise<void> {
    await this.stack.startRun(tenant, { runId, userId: USER, roles: ['user'], ...body }, msgId);
  }

  /** The stream sequence of the run's last event (what an append must expect). */
  lastSeq = async (tenant: string, runId: string): Promise<number> =>
    (await this.stack.store.read(tenant, runId)).at(-1)?.seq ?? 0;

  /** Publishes any body (malformed on purpose) as a command of `tenant`. */
  publish(tenant: string, command: string, body: string | Uint8Array, msgId: string) {
    return this.stack.publishRaw(`${this.stack.prefix}.cmd.${tenant}.${command}`, body, msgId);
  }

  /**
   * The run once it has ended, or once it waits for a human with every approval it asked for
   * queued in the approval service (so a decision can be taken right away).
   */
  settle(tenant: string, runId: string, timeoutMs = 30_000): Promise<TetherEvent[]> {
    return eventually(
      async () => {
        const events = await this.read(tenant, runId);
        if (events.length === 0) return undefined;
        if (events.some((e) => TERMINAL.has(e.type))) return events;
        if (!parked(events)) return undefined;
        for (const id of approvalIds(events)) {
          if (!(await this.approval(tenant, id).catch(() => undefined))) return undefined;
        }
        return events;
      },
      `run ${runId} to end or wait for a human`,
      timeoutMs,
    );
  }

  end(tenant: string, runId: string, timeoutMs = 30_000): Promise<TetherEvent[]> {
    return eventually(
      async () => {
        const events = await this.read(tenant, runId);
        return events.some((e) => TERMINAL.has(e.type)) ? events : undefined;
      },
      `run ${runId} to end`,
      timeoutMs,
    );
  }

  /** The run's events once `done` holds for them. */
  waitFor(
    tenant: string,
    runId: string,
    done: (events: TetherEvent[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<TetherEvent[]> {
    return eventually(
      async () => {
        const events = await this.read(tenant, runId);
        return events.length > 0 && done(events) ? events : undefined;
      },
      `run ${runId} to reach the state the case waits for`,
      timeoutMs,
    );
  }

  /** What `check` returns once it returns something, or undefined when it never does. */
  eventuallyOr<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T | undefined> {
    return eventually(check, 'a value', timeoutMs).catch(() => undefined);
  }

  /** Whether the trace-store has projected these events of the run (waits a while for it). */
  async projected(tenant: string, runId: string, events: TetherEvent[]): Promise<boolean> {
    const db = this.stack.services['trace-store']!.dataSource;
    const done = await this.eventuallyOr(async () => {
      const rows: { n: number }[] = await db.query(
        'SELECT count(*)::int AS n FROM trace_events WHERE tenant_id = $1 AND run_id = $2',
        [tenant, runId],
      );
      return rows[0]!.n >= events.length ? true : undefined;
    });
    return done === true;
  }

  decide(
    tenant: string,
    approvalId: string,
    decision: 'approve' | 'deny',
    msgId: string,
    who: { approverId: string; roles: string[] } = APPROVER,
  ): Promise<void> {
    return this.stack.publishRaw(
      subjects.command(this.stack.prefix, tenant, CommandName.ApprovalDecide),
      encodeJson({ approvalId, decision, ...who, reason: 'adversarial suite' }),
      msgId,
    );
  }

  cancel(tenant: string, runId: string, msgId: string): Promise<void> {
    return this.stack.publishRaw(
      subjects.command(this.stack.prefix, tenant, CommandName.RunCancel),
      encodeJson({ runId, requestedBy: 'ops_adversarial', reason: 'adversarial suite' }),
      msgId,
    );
  }

  resume(tenant: string, runId: string, msgId: string): Promise<void> {
    return this.stack.publishRaw(
      subjects.runResume(this.stack.prefix, tenant),
      encodeJson({ runId, cause: 'adversarial suite' }),
      msgId,
    );
  }

  private rpc<T>(op: string, body: unknown): Promise<T> {
    return requestService<T>(this.stack.nc, this.stack.prefix, 'approval', op, body, 5000);
  }

  approval(tenantId: string, approvalId: string) {
    return this.rpc<{ status: string; votes: unknown[] }>(ApprovalOp.Get, {
      tenantId,
      approvalId,
    });
  }

  list(tenantId: string): Promise<ApprovalPage> {
    return this.rpc<ApprovalPage>(ApprovalOp.List, { tenantId });
  }

  /** A request straight to the tool-executor, as anyone on the bus could send one. */
  forgeExecute(request: ExecuteTool): Promise<ToolExecuted | RemoteError> {
    return requestService<ToolExecuted>(
      this.stack.nc,
      this.stack.prefix,
      TOOL_EXECUTOR.service,
      TOOL_EXECUTOR.execute,
      request,
      10_000,
    ).catch((err: RemoteError) => err);
  }

  private readonly seen = new Map<string, StoredMessage[]>();

  /** Every message of one of the prefix's streams (messages are never changed: read each once). */
  async messages(stream: 'cmd' | 'evt' | 'ctl'): Promise<StoredMessage[]> {
    const jsm = await this.stack.nc.jetstreamManager();
    const name = streamNames(this.stack.prefix)[stream];
    const info = await jsm.streams.info(name);
    const out = this.seen.get(name) ?? [];
    this.seen.set(name, out);
    const from = Math.max(info.state.first_seq, (out.at(-1)?.seq ?? 0) + 1);
    for (let seq = from; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(name, { seq }).catch(() => undefined);
      if (m && !out.some((o) => o.seq === seq))
        out.push({ subject: m.subject, seq, body: Buffer.from(m.data).toString('utf8') });
    }
    return out.slice().sort((a, b) => a.seq - b.seq);
  }

  /** The `command.rejected` record of the command with this `Nats-Msg-Id`. */
  rejection(tenant: string, msgId: string): Promise<Record<string, unknown>> {
    const subject = subjects.rejectedCommands(this.stack.prefix, tenant);
    return eventually(async () => {
      for (const m of await this.messages('ctl')) {
        if (m.subject !== subject) continue;
        const body = JSON.parse(m.body) as Record<string, unknown>;
        if (body.requestId === msgId) return body;
      }
      return undefined;
    }, `command.rejected of ${msgId}`);
  }

  /** The approval audit records (`approval.refused`, `approval.voted`) of one tenant and approval. */
  async audits(tenant: string, approvalId: string): Promise<Record<string, unknown>[]> {
    const subject = subjects.approvalAudit(this.stack.prefix, tenant);
    return (await this.messages('ctl'))
      .filter((m) => m.subject === subject)
      .map((m) => JSON.parse(m.body) as Record<string, unknown>)
      .filter((a) => a.approvalId === approvalId);
  }

  /** Waits until `count` audit records of the approval are in `_CTL`. */
  auditsAtLeast(tenant: string, approvalId: string, count: number) {
    return eventually(async () => {
      const found = await this.audits(tenant, approvalId);
      return found.length >= count ? found : undefined;
    }, `${count} audit record(s) of ${approvalId} for ${tenant}`);
  }
}

/** The run waits for a human and nothing else. */
export function parked(events: TetherEvent[]): boolean {
  const state = fold(events);
  if (!isActive(state)) return false;
  const next = nextAction(state);
  return next.kind === 'wait' && next.reason === 'approval';
}

export function approvalIds(events: TetherEvent[]): string[] {
  return events
    .filter((e) => e.type === 'approval.requested')
    .map((e) => (e.data as { approvalId: string }).approvalId);
}

export function ofType<T extends TetherEvent['type']>(
  events: TetherEvent[],
  type: T,
): Extract<TetherEvent, { type: T }>[] {
  return events.filter((e): e is Extract<TetherEvent, { type: T }> => e.type === type);
}

/** What one case left behind, for its assertions. */
export interface Observation {
  tenant: string;
  runId: string;
  /** The run's events as stored (empty for a command that never became a run). */
  events: TetherEvent[];
  /** The `command.rejected` record, for a command refused before it became a run. */
  rejection?: Record<string, unknown>;
  /** Whatever else the case collected (audit records, replies, before/after snapshots). */
  extra: Record<string, unknown>;
  /** The case could not run to the point its assertions need. */
  error?: unknown;
}
