import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  ApprovalStatus,
  QueueKind,
  type ApprovalListQuery,
  type ApprovalPage,
  type ApprovalQueueItem,
  type Risk,
  type Tier,
} from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { decodeCursor, encodeCursor } from '@tether/service-kit';
import { ApprovalRequestEntity } from './approval-request.entity';

export type QueueRow = ApprovalRequestEntity;

/** A new queue entry, as the log describes it. */
export type NewEntry = Omit<QueueRow, 'votes' | 'editedArgs' | 'decidedAt' | 'status'> & {
  status: ApprovalStatus;
};

const MAX_PAGE = 200;

/** The approval queue in Postgres. Every read names the tenant: no query crosses tenants. */
@Injectable()
export class ApprovalQueue {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Adds entries seen in the log; an entry already there (a replayed event) is left alone. */
  async add(entries: NewEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db
      .createQueryBuilder()
      .insert()
      .into(ApprovalRequestEntity)
      .values(
        entries.map((e) => ({
          ...e,
          votes: [],
          editedArgs: null,
          decidedAt: null,
        })) as QueryDeepPartialEntity<ApprovalRequestEntity>[],
      )
      .orIgnore()
      .execute();
  }

  /** Records outcomes the log holds, for entries still waiting (decided elsewhere, or replayed). */
  async settle(
    outcomes: { approvalId: string; status: ApprovalStatus; at: Date }[],
  ): Promise<void> {
    if (outcomes.length === 0) return;
    await this.db.query(
      `UPDATE approval_requests a SET status = o.status, decided_at = o.at
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS o(id, status, at)
       WHERE a.approval_id = o.id AND a.status = 'pending'`,
      [outcomes.map((o) => o.approvalId), outcomes.map((o) => o.status), outcomes.map((o) => o.at)],
    );
  }

  /** Runs that ended: whatever they still waited for will never be needed. */
  async cancelForRuns(runs: { tenantId: string; runId: string }[], at: Date): Promise<void> {
    if (runs.length === 0) return;
    await this.db.query(
      `UPDATE approval_requests SET status = 'cancelled', decided_at = $3
       WHERE status = 'pending' AND (tenant_id, run_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [runs.map((r) => r.tenantId), runs.map((r) => r.runId), at],
    );
  }

  /**
   * Runs `work` with the entry locked (SELECT … FOR UPDATE) in one transaction, so concurrent
   * votes on one entry are decided one after the other. `row` is undefined when this tenant has
   * no such entry.
   */
  async withLocked<T>(
    tenantId: string,
    approvalId: string,
    work: (row: QueueRow | undefined, tx: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(async (tx) => {
      const row = await tx
        .getRepository(ApprovalRequestEntity)
        .createQueryBuilder('a')
        .setLock('pessimistic_write')
        .where('a.approval_id = :approvalId AND a.tenant_id = :tenantId', { approvalId, tenantId })
        .getOne();
      return work(row ?? undefined, tx);
    });
  }

  async save(tx: EntityManager, row: QueueRow): Promise<void> {
    await tx.getRepository(ApprovalRequestEntity).save(row);
  }

  /**
   * Locks up to `limit` approvals past their expiry that nobody else is expiring (SKIP LOCKED: any
   * number of instances sweep side by side) and hands them to `work` in one transaction.
   */
  async expireDue(
    now: Date,
    limit: number,
    work: (rows: QueueRow[], tx: EntityManager) => Promise<void>,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .getRepository(ApprovalRequestEntity)
        .createQueryBuilder('a')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where(`a.status = 'pending' AND a.kind = 'approval' AND a.expires_at <= :now`, { now })
        .orderBy('a.expires_at')
        .limit(limit)
        .getMany();
      if (rows.length) await work(rows, tx);
      return rows.length;
    });
  }

  async get(tenantId: string, approvalId: string): Promise<ApprovalQueueItem | undefined> {
    const row = await this.db
      .getRepository(ApprovalRequestEntity)
      .findOneBy({ tenantId, approvalId });
    return row ? toItem(row) : undefined;
  }

  /** Newest first, by keyset: `cursor` is the last item of the previous page. */
  async list(q: ApprovalListQuery): Promise<ApprovalPage> {
    const limit = q.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new ValidationError(`limit must be an integer from 1 to ${MAX_PAGE}`);
    }
    const qb = this.db
      .getRepository(ApprovalRequestEntity)
      .createQueryBuilder('a')
      .where('a.tenant_id = :tenantId', { tenantId: q.tenantId });
    if (q.status) qb.andWhere('a.status = :status', { status: q.status });
    if (q.kind) qb.andWhere('a.kind = :kind', { kind: q.kind });
    if (q.runId) qb.andWhere('a.run_id = :runId', { runId: q.runId });
    if (q.cursor) {
      const { at, id } = decodeCursor(q.cursor);
      qb.andWhere('(a.created_at, a.approval_id) < (:at, :id)', { at, id });
    }
    const rows = await qb
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.approval_id', 'DESC')
      .limit(limit + 1)
      .getMany();
    const items = rows.slice(0, limit).map(toItem);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, ...(last && { nextCursor: encodeCursor(last.createdAt, last.approvalId) }) };
  }
}

export function toItem(row: QueueRow): ApprovalQueueItem {
  return {
    approvalId: row.approvalId,
    kind: row.kind as QueueKind,
    tenantId: row.tenantId,
    runId: row.runId,
    callId: row.callId,
    agent: row.agent,
    tool: row.tool,
    tier: row.tier as Tier,
    risk: row.risk as Risk,
    args: row.args,
    ...(row.editedArgs && { editedArgs: row.editedArgs }),
    requestedBy: row.requestedBy,
    context: row.context,
    status: row.status as ApprovalStatus,
    quorum: row.quorum,
    votes: row.votes,
    onExpiry: row.onExpiry as 'deny' | 'escalate',
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    ...(row.decidedAt && { decidedAt: row.decidedAt.toISOString() }),
  };
}
