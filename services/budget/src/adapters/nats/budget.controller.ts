import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Msg } from 'nats';
import {
  BudgetOp,
  GLOBAL_CAP_TENANT,
  ReserveBudget,
  SetBudgetCap,
  SpendQuery,
  isToken,
  parseAs,
  parseJson,
} from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { CapChanges } from '../../application/cap-changes';
import { ReserveBudgetHandler } from '../../application/reserve-budget.handler';
import { SpendReports } from '../../application/spend-reports';

function body(msg: Msg): Record<string, unknown> {
  const parsed = parseJson(msg.data);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null)
    throw new ValidationError('request body must be a JSON object');
  return parsed.value as Record<string, unknown>;
}

function parseBody<T extends object>(cls: new () => T, msg: Msg, what: string): T {
  const parsed = parseAs(cls, body(msg));
  if (!parsed.ok) throw new ValidationError(`invalid ${what}`, parsed.problems);
  return parsed.value;
}

/** Request/reply on `<P>.svc.budget.<op>`; every request names one tenant. */
@Controller()
export class BudgetController {
  constructor(
    private readonly reservations: ReserveBudgetHandler,
    private readonly caps: CapChanges,
    private readonly spend: SpendReports,
  ) {}

  @MessagePattern(BudgetOp.Reserve)
  reserve(@Payload() msg: Msg) {
    const req = parseBody(ReserveBudget, msg, 'reservation');
    if (req.tenantId === GLOBAL_CAP_TENANT)
      throw new ValidationError(`${GLOBAL_CAP_TENANT} is not a tenant: it names the global caps`);
    return this.reservations.reserve(req);
  }

  @MessagePattern(BudgetOp.CapsSet)
  setCap(@Payload() msg: Msg) {
    return this.caps.set(parseBody(SetBudgetCap, msg, 'cap change'));
  }

  @MessagePattern(BudgetOp.CapsList)
  listCaps(@Payload() msg: Msg) {
    const { tenantId } = body(msg);
    if (!isToken(tenantId)) throw new ValidationError('tenantId must be a tenant id');
    return this.caps.list(tenantId);
  }

  @MessagePattern(BudgetOp.Spend)
  spendReport(@Payload() msg: Msg) {
    return this.spend.report(parseBody(SpendQuery, msg, 'spend query'));
  }
}
