import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NatsConnection } from 'nats';
import type { DataSource, Repository } from 'typeorm';
import {
  TRACE_STORE_SERVICE,
  TraceOp,
  newRunView,
  type RunListQuery,
  type RunPage,
  type RunTimeline,
  type RunView,
} from '@tether/contracts';
import { ForbiddenError, NotFoundError } from '@tether/errors';
import { InjectConfig, InjectNats } from '@tether/service-kit';
import { RunRequestEntity } from '../adapters/persistence/run-request.entity';
import type { GatewayConfig } from '../config';
import { maySee, seesWholeTenant } from '../domain/run-access';
import type { Caller } from './api-key.registry';
import { callService } from './service-call';

export type RunFilters = Omit<RunListQuery, 'tenantId'>;

/**
 * Runs as the caller may see them: the trace-store's projection, scoped to the caller's tenant,
 * and to the caller's own runs unless their role sees the whole tenant. A run started over HTTP
 * whose first event is not projected yet is answered from the gateway's own record, as queued.
 */
@Injectable()
export class RunReader {
  private readonly requests: Repository<RunRequestEntity>;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: GatewayConfig,
    @InjectDataSource() db: DataSource,
  ) {
    this.requests = db.getRepository(RunRequestEntity);
  }

  /** The run, or `NotFoundError` when it does not exist in the caller's tenant or is not the caller's to see. */
  get(caller: Caller, runId: string): Promise<RunView> {
    return this.visible(caller, runId, TraceOp.RunGet, (view) => view.userId, queued);
  }

  /** The run with its steps, calls, approvals and guardrail triggers, seen as `get` sees the run. */
  timeline(caller: Caller, runId: string): Promise<RunTimeline> {
    return this.visible(
      caller,
      runId,
      TraceOp.RunTimeline,
      (t) => t.run.userId,
      (request) => ({
        run: queued(request),
        steps: [],
        modelCalls: [],
        toolCalls: [],
        approvals: [],
        guardrails: [],
      }),
    );
  }

  list(caller: Caller, filters: RunFilters): Promise<RunPage> {
    let userId = filters.userId;
    if (!seesWholeTenant(caller.roles)) {
      if (userId !== undefined && userId !== caller.subject)
        throw new ForbiddenError("only an operator or admin key may list other users' runs");
      userId = caller.subject;
    }
    const query: RunListQuery = {
      ...filters,
      tenantId: caller.tenantId,
      ...(userId !== undefined && { userId }),
    };
    return callService(this.nc, this.config, TRACE_STORE_SERVICE, TraceOp.RunList, query);
  }

  /**
   * What the trace-store answers for the run, else the gateway's own record of it; either way only
   * when the caller may see the run. A run whose projection names no user yet is the requester's.
   */
  private async visible<T>(
    caller: Caller,
    runId: string,
    op: TraceOp,
    ownerOf: (found: T) => string | null,
    queuedAs: (request: RunRequestEntity) => T,
  ): Promise<T> {
    const [found, request] = await Promise.all([
      this.projected<T>(op, caller.tenantId, runId),
      this.requests.findOneBy({ tenantId: caller.tenantId, runId }),
    ]);
    if (found === undefined && !request) throw notFound(runId);
    const owner = (found === undefined ? null : ownerOf(found)) ?? request?.userId;
    if (!maySee(caller, owner)) throw notFound(runId);
    return found ?? queuedAs(request!);
  }

  private async projected<T>(op: TraceOp, tenantId: string, runId: string): Promise<T | undefined> {
    try {
      return await callService<T>(this.nc, this.config, TRACE_STORE_SERVICE, op, {
        tenantId,
        runId,
      });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'not_found') return undefined;
      throw err;
    }
  }
}

function notFound(runId: string): NotFoundError {
  return new NotFoundError(`run ${runId} not found`);
}

/** A run the gateway sent that has no projected event yet. */
function queued(r: RunRequestEntity): RunView {
  return {
    ...newRunView(r.tenantId, r.runId),
    agent: r.agent,
    userId: r.userId,
    output: null,
    createdAt: r.createdAt.toISOString(),
  };
}
