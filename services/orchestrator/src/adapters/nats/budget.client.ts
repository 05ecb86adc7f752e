import { Injectable } from '@nestjs/common';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import {
  BUDGET_SERVICE,
  BudgetOp,
  type BudgetDecision,
  type ReserveBudget,
} from '@tether/contracts';
import { requestService, type RemoteError } from '@tether/event-store';
import { InjectConfig, InjectLogger, InjectNats } from '@tether/service-kit';
import type { BudgetPort } from '../../application/ports';
import type { OrchestratorConfig } from '../../config';

/** One reservation request; the budget service answers in milliseconds when it is there. */
const REQUEST_TIMEOUT_MS = 2_000;

/** The budget service found the request invalid: a bug on this side, not worth retrying. */
const isRefusedRequest = (err: unknown) =>
  (err as Partial<RemoteError> | undefined)?.remoteName === 'ValidationError';

/** The budget service did not answer within `TETHER_BUDGET_WAIT_MS`: no call is made unpaid. */
export class BudgetUnavailableError extends Error {
  constructor(cause: string) {
    super(`the budget service did not answer: ${cause}`);
    this.name = 'BudgetUnavailableError';
  }
}

/**
 * Reservations over request/reply, retried with backoff while the budget service is away (a
 * restart, a deploy) for up to the configured wait. Past it the run's step fails closed: the
 * driving command is redelivered later rather than a model called without a hold. A refusal is
 * an answer, never retried; a request the service finds invalid is a bug and surfaces at once.
 */
@Injectable()
export class NatsBudgetClient implements BudgetPort {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: OrchestratorConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async reserve(request: ReserveBudget): Promise<BudgetDecision> {
    const deadline = Date.now() + this.config.budget.waitMs;
    const policy = retry(
      handleWhen((err) => !isRefusedRequest(err) && Date.now() < deadline),
      {
        maxAttempts: 1_000,
        backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
      },
    );
    policy.onRetry(({ delay, ...outcome }) =>
      this.logger.warn(
        { runId: request.runId, delay, err: 'error' in outcome ? String(outcome.error) : '' },
        'budget service unavailable; retrying the reservation',
      ),
    );
    try {
      return await policy.execute(() =>
        requestService<BudgetDecision>(
          this.nc,
          this.config.prefix,
          BUDGET_SERVICE,
          BudgetOp.Reserve,
          request,
          Math.min(REQUEST_TIMEOUT_MS, Math.max(1, deadline - Date.now())),
        ),
      );
    } catch (err) {
      if (isRefusedRequest(err)) throw err;
      throw new BudgetUnavailableError((err as Error).message);
    }
  }
}
