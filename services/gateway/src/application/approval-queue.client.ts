import { Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import {
  APPROVAL_SERVICE,
  ApprovalOp,
  type ApprovalDecideRequest,
  type ApprovalDecisionResult,
  type ApprovalListQuery,
  type ApprovalPage,
  type ApprovalQueueItem,
} from '@tether/contracts';
import { InjectConfig, InjectNats } from '@tether/service-kit';
import type { GatewayConfig } from '../config';
import { callService } from './service-call';

/** The approval queue as the approval service serves it over request/reply. */
@Injectable()
export class ApprovalQueueClient {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: GatewayConfig,
  ) {}

  list(query: ApprovalListQuery): Promise<ApprovalPage> {
    return this.call(ApprovalOp.List, query);
  }

  get(tenantId: string, approvalId: string): Promise<ApprovalQueueItem> {
    return this.call(ApprovalOp.Get, { tenantId, approvalId });
  }

  decide(request: ApprovalDecideRequest): Promise<ApprovalDecisionResult> {
    return this.call(ApprovalOp.Decide, request);
  }

  private call<T>(op: ApprovalOp, body: unknown): Promise<T> {
    return callService(this.nc, this.config, APPROVAL_SERVICE, op, body);
  }
}
