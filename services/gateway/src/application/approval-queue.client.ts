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
import { requestService } from '@tether/event-store';
import { InjectConfig, InjectNats } from '@tether/service-kit';
import type { GatewayConfig } from '../config';

/** The approval service did not answer: not running on this prefix, or too slow. Becomes 503. */
export class ServiceUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/**
 * The approval queue as the approval service serves it over request/reply. Its refusals arrive
 * as `RemoteError`s carrying their code (`forbidden`, `not_found`, …) and are answered as such.
 */
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

  private async call<T>(op: ApprovalOp, body: unknown): Promise<T> {
    try {
      return await requestService<T>(
        this.nc,
        this.config.prefix,
        APPROVAL_SERVICE,
        op,
        body,
        this.config.api.serviceTimeoutMs,
      );
    } catch (err) {
      // No responders, a timeout, a closed connection: the queue is out of reach, not the request wrong.
      if ((err as Error)?.name === 'NatsError')
        throw new ServiceUnavailableError(
          'the approval service is not available; try again later',
          {
            cause: err,
          },
        );
      throw err;
    }
  }
}
