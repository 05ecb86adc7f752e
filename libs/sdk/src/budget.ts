import {
  BudgetOp,
  CAP_NAMES,
  SPEND_GROUPS,
  SetBudgetCap,
  SpendQuery,
  isToken,
  parseAs,
  type BudgetCap,
  type BudgetCapChanged,
  type SpendReport,
} from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { isAmount, isAmountOrNull, isCount, isString, problemsOf, type Shape } from './reply.shape';
import { InvalidReplyError } from './sdk.errors';

/** How long a budget request waits for the budget service. */
export const BUDGET_REQUEST_MS = 10_000;

/**
 * The budget service of a client's prefix: `client.budget`. Requests name their tenant; the
 * service keeps tenants apart, and only caps of `_all` (see `GLOBAL_CAP_TENANT`) hold for all.
 */
export interface Budget {
  /** The caps that hold for `tenant` (the client's by default): its own and the global ones. */
  caps(tenant?: string): Promise<BudgetCap[]>;
  /** Sets a cap, or removes it (`limitUsd: null`). Resolves with the audit record, written first. */
  setCap(input: SetBudgetCap): Promise<BudgetCapChanged>;
  /** Settled spend of one tenant, grouped, over UTC days. */
  spend(query: SpendQuery): Promise<SpendReport>;
}

/** One request/reply to `<P>.svc.budget.<op>`, as the client sends it. */
export type BudgetRequest = <T>(op: BudgetOp, body: unknown) => Promise<T>;

/**
 * `client.budget`, on a client's request function. Input is checked against the contract before
 * anything is sent, and every answer is checked before it is returned.
 */
export function budgetOf(request: BudgetRequest, defaultTenant: string): Budget {
  return {
    async caps(tenant = defaultTenant) {
      if (!isToken(tenant))
        throw new ValidationError('invalid caps query', [`tenant "${tenant}" is not a valid id`]);
      const reply = await request<unknown>(BudgetOp.CapsList, { tenantId: tenant });
      return checkCaps(reply);
    },

    async setCap(input) {
      const body = capBody(input);
      const parsed = parseAs(SetBudgetCap, body);
      if (!parsed.ok) throw new ValidationError('invalid budget cap', parsed.problems);
      return checkCapChanged(await request<unknown>(BudgetOp.CapsSet, body));
    },

    async spend(query) {
      const body = spendBody(query);
      const parsed = parseAs(SpendQuery, body);
      if (!parsed.ok) throw new ValidationError('invalid spend query', parsed.problems);
      if (body.from !== undefined && body.to !== undefined && body.from > body.to)
        throw new ValidationError('invalid spend query', [
          `from (${body.from}) is after to (${body.to})`,
        ]);
      return checkReport(await request<unknown>(BudgetOp.Spend, body));
    },
  };
}

/** The fields of the contract only (a caller's extra properties are not sent), who and why trimmed. */
function capBody(input: SetBudgetCap): SetBudgetCap {
  const trim = (v: unknown) => (typeof v === 'string' ? v.trim() : v) as string;
  const i = (input ?? {}) as Partial<SetBudgetCap>;
  return {
    tenantId: i.tenantId!,
    cap: i.cap!,
    ...(i.subject !== undefined && { subject: i.subject }),
    limitUsd: i.limitUsd!,
    by: trim(i.by),
    reason: trim(i.reason),
  };
}

function spendBody(query: SpendQuery): SpendQuery {
  const q = (query ?? {}) as Partial<SpendQuery>;
  return {
    tenantId: q.tenantId!,
    by: q.by!,
    ...(q.from !== undefined && { from: q.from }),
    ...(q.to !== undefined && { to: q.to }),
    ...(q.userId !== undefined && { userId: q.userId }),
    ...(q.agent !== undefined && { agent: q.agent }),
    ...(q.model !== undefined && { model: q.model }),
  };
}

const isCapName = (v: unknown) => (CAP_NAMES as readonly unknown[]).includes(v);

const CAP: Shape = {
  tenantId: isString,
  cap: isCapName,
  subject: isString,
  limitUsd: isAmount,
  updatedAt: isString,
  updatedBy: isString,
  reason: isString,
};

const CAP_CHANGED: Shape = {
  id: isString,
  type: (v) => v === 'budget.cap.changed',
  time: isString,
  tenantId: isString,
  cap: isCapName,
  subject: isString,
  previousUsd: isAmountOrNull,
  limitUsd: isAmountOrNull,
  by: isString,
  reason: isString,
};

const REPORT: Shape = {
  tenantId: isString,
  by: (v) => (SPEND_GROUPS as readonly unknown[]).includes(v),
  from: isString,
  to: isString,
  totalUsd: isAmount,
  heldUsd: isAmount,
  rows: Array.isArray,
};

const ROW: Shape = { key: isString, spentUsd: isAmount, calls: isCount };

function refuse(op: BudgetOp, problems: string[]): never {
  throw new InvalidReplyError(`unexpected budget ${op} reply`, problems, 'budget', op);
}

function checkCaps(reply: unknown): BudgetCap[] {
  if (!Array.isArray(reply)) refuse(BudgetOp.CapsList, ['the reply is not a list']);
  const problems = reply.flatMap((c, i) => problemsOf(c, CAP, `[${i}]`));
  if (problems.length) refuse(BudgetOp.CapsList, problems);
  return reply as BudgetCap[];
}

function checkCapChanged(reply: unknown): BudgetCapChanged {
  const problems = problemsOf(reply, CAP_CHANGED, 'record');
  if (problems.length) refuse(BudgetOp.CapsSet, problems);
  return reply as BudgetCapChanged;
}

function checkReport(reply: unknown): SpendReport {
  const problems = problemsOf(reply, REPORT, 'report');
  if (!problems.length)
    problems.push(
      ...(reply as SpendReport).rows.flatMap((r, i) => problemsOf(r, ROW, `report.rows[${i}]`)),
    );
  if (problems.length) refuse(BudgetOp.Spend, problems);
  return reply as SpendReport;
}
