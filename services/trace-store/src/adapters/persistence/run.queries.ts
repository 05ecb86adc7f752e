import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  isToken,
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

  private assertIds(tenantId: string, runId: string) {
    if (!isToken(tenantId) || !isToken(runId))
      throw new ValidationError('tenantId and runId must be subject-safe ids');
  }
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
