import { Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import {
  BUDGET_SERVICE,
  BudgetOp,
  type BudgetCap,
  type BudgetCapChanged,
  type CapName,
  type SpendQuery,
  type SpendReport,
} from '@tether/contracts';
import { ForbiddenError, ValidationError } from '@tether/errors';
import { InjectConfig, InjectNats } from '@tether/service-kit';
import type { GatewayConfig } from '../config';
import { capChangeFor, spendQueryFor, type CapChange } from '../domain/budget-access';
import type { Caller } from './api-key.registry';
import { callService } from './service-call';

/**
 * Spend and caps as the budget service serves them over request/reply, scoped by the caller's key:
 * its tenant always, its own user for a key that does not see the whole tenant.
 */
@Injectable()
export class BudgetServiceClient {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: GatewayConfig,
  ) {}

  spend(caller: Caller, requested: Omit<SpendQuery, 'tenantId'>): Promise<SpendReport> {
    const { from, to } = requested;
    if (from !== undefined && to !== undefined && from > to)
      throw new ValidationError('invalid request', [`from (${from}) is after to (${to})`]);
    const query = spendQueryFor(caller, requested);
    if (!query.ok) throw new ForbiddenError(query.reason);
    return this.call(BudgetOp.Spend, query.value);
  }

  caps(caller: Caller): Promise<BudgetCap[]> {
    return this.call(BudgetOp.CapsList, { tenantId: caller.tenantId });
  }

  setCap(caller: Caller, cap: CapName, change: CapChange): Promise<BudgetCapChanged> {
    return this.call(BudgetOp.CapsSet, capChangeFor(caller, cap, change));
  }

  private call<T>(op: BudgetOp, body: unknown): Promise<T> {
    return callService(this.nc, this.config, BUDGET_SERVICE, op, body);
  }
}
