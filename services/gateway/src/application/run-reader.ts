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
  async get(caller: Caller, runId: string): Promise<RunView> {
    const [view, request] = await Promise.all([
      this.projected(caller.tenantId, runId),
      this.requests.findOneBy({ tenantId: caller.tenantId, runId }),
    ]);
    if (!view && !request) throw notFound(runId);
    if (!maySee(caller, view?.userId ?? request?.userId)) throw notFound(runId);
    return view ?? queued(request!);
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

  private async projected(tenantId: string, runId: string): Promise<RunView | undefined> {
    try {
      return await callService<RunView>(this.nc, this.config, TRACE_STORE_SERVICE, TraceOp.RunGet, {
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
