import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { isToken } from '@tether/contracts';
import { NotFoundError, ValidationError } from '@tether/errors';
import { TraceEventEntity } from './trace-event.entity';
import { TraceRunEntity } from './trace-run.entity';

/** Reads of the projection. Every query takes the tenant: there is no cross-tenant read. */
@Injectable()
export class RunQueries {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async getRun(tenantId: string, runId: string): Promise<TraceRunEntity> {
    this.assertIds(tenantId, runId);
    const run = await this.db.getRepository(TraceRunEntity).findOneBy({ tenantId, runId });
    if (!run) throw new NotFoundError(`run ${runId} not found`);
    return run;
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
