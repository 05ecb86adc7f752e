import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  isToken,
  type ApprovalView,
  type GuardrailTriggerView,
  type ModelCallView,
  type RunTimeline,
  type StepView,
  type ToolCallView,
  type Outcome,
  type RunListQuery,
  type RunPage,
  type RunStatusName,
  type RunView,
} from '@tether/contracts';
import { NotFoundError, ValidationError } from '@tether/errors';
import { decodeCursor, encodeCursor } from '@tether/service-kit';
import { TraceEventEntity } from './trace-event.entity';
import { TraceRunEntity } from './trace-run.entity';

const DEFAULT_PAGE = 50;

/** Reads of the projection. Every query takes the tenant: there is no cross-tenant read. */
@Injectable()
export class RunQueries {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async getRun(tenantId: string, runId: string): Promise<RunView> {
    this.assertIds(tenantId, runId);
    const run = await this.db.getRepository(TraceRunEntity).findOneBy({ tenantId, runId });
    if (!run) throw new NotFoundError(`run ${runId} not found`);
    return { ...viewOf(run), output: run.output };
  }

  /** Newest first, by keyset on (created_at, run_id): a page costs the same however deep it is. */
  async listRuns(q: RunListQuery): Promise<RunPage> {
    const limit = q.limit ?? DEFAULT_PAGE;
    const qb = this.db
      .getRepository(TraceRunEntity)
      .createQueryBuilder('r')
      .where('r.tenant_id = :tenantId', { tenantId: q.tenantId })
      // A run whose first event is not projected yet has no time to sort by.
      .andWhere('r.created_at IS NOT NULL');
    if (q.userId !== undefined) qb.andWhere('r.user_id = :userId', { userId: q.userId });
    if (q.agent !== undefined) qb.andWhere('r.agent = :agent', { agent: q.agent });
    if (q.release !== undefined) qb.andWhere('r.release = :release', { release: q.release });
    if (q.status !== undefined) qb.andWhere('r.status = :status', { status: q.status });
    if (q.outcome !== undefined) qb.andWhere('r.outcome = :outcome', { outcome: q.outcome });
    if (q.tool !== undefined)
      qb.andWhere(
        'EXISTS (SELECT 1 FROM trace_tool_calls t WHERE t.tenant_id = r.tenant_id AND t.run_id = r.run_id AND t.tool = :tool)',
        { tool: q.tool },
      );
    if (q.from !== undefined) qb.andWhere('r.created_at >= :from', { from: q.from });
    if (q.to !== undefined) qb.andWhere('r.created_at < :to', { to: q.to });
    if (q.cursor !== undefined) {
      const { at, id } = decodeCursor(q.cursor);
      qb.andWhere('(r.created_at, r.run_id) < (:at, :id)', { at, id });
    }
    const rows = await qb
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.run_id', 'DESC')
      .limit(limit + 1)
      .getMany();
    const items = rows.slice(0, limit).map(viewOf);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, ...(last && { nextCursor: encodeCursor(last.createdAt!, last.runId) }) };
  }

  async getEvents(tenantId: string, runId: string): Promise<TraceEventEntity[]> {
    this.assertIds(tenantId, runId);
    return this.db
      .getRepository(TraceEventEntity)
      .find({ where: { tenantId, runId }, order: { seq: 'ASC' } });
  }

  /** The run and everything it did, each list oldest first; one round trip for the details. */
  async getTimeline(tenantId: string, runId: string): Promise<RunTimeline> {
    const [run, details] = await Promise.all([
      this.getRun(tenantId, runId),
      this.db.query(TIMELINE_SQL, [tenantId, runId]) as Promise<Record<string, Row[]>[]>,
    ]);
    const d = details[0];
    return {
      run,
      steps: d.steps.map(viewRow) as unknown as StepView[],
      modelCalls: d.model_calls.map(viewRow) as unknown as ModelCallView[],
      toolCalls: d.tool_calls.map(viewRow) as unknown as ToolCallView[],
      approvals: d.approvals.map(viewRow) as unknown as ApprovalView[],
      guardrails: d.guardrails.map(viewRow) as unknown as GuardrailTriggerView[],
    };
  }

  private assertIds(tenantId: string, runId: string) {
    if (!isToken(tenantId) || !isToken(runId))
      throw new ValidationError('tenantId and runId must be subject-safe ids');
  }
}

type Row = Record<string, unknown>;

const detailList = (table: string, order: string) =>
  `(SELECT coalesce(json_agg(x ORDER BY ${order}), '[]'::json) FROM ${table} x WHERE x.tenant_id = $1 AND x.run_id = $2)`;

const TIMELINE_SQL = `SELECT
  ${detailList('trace_steps', 'x.step')} AS steps,
  ${detailList('trace_model_calls', 'x.step, x.attempt')} AS model_calls,
  ${detailList('trace_tool_calls', 'coalesce(x.requested_at, x.started_at, x.ended_at), x.call_id')} AS tool_calls,
  ${detailList('trace_approvals', 'coalesce(x.requested_at, x.decided_at), x.approval_id')} AS approvals,
  ${detailList('trace_guardrail_triggers', 'x.seq')} AS guardrails`;

/** What the projection needs to stay exact but a reader does not. */
const INTERNAL = new Set(['tenant_id', 'run_id', 'status_seq']);

/** A detail row as the contract names it: camelCase, times in ISO 8601. */
function viewRow(row: Row): Row {
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) {
    if (INTERNAL.has(column)) continue;
    const name = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[name] =
      (column === 'at' || column.endsWith('_at')) && typeof value === 'string'
        ? new Date(value).toISOString()
        : value;
  }
  return out;
}

/** A run as lists show it: everything but the final answer, which can be long. */
function viewOf(r: TraceRunEntity): RunView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    tenantId: r.tenantId,
    runId: r.runId,
    agent: r.agent,
    release: r.release,
    userId: r.userId,
    mode: r.mode,
    status: r.status as RunStatusName,
    outcome: r.outcome as Outcome | null,
    reason: r.reason,
    message: r.message,
    steps: r.steps,
    toolCalls: r.toolCalls,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costUsd: r.costUsd,
    createdAt: iso(r.createdAt),
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    durationMs: r.durationMs,
    eventCount: r.eventCount,
  };
}
