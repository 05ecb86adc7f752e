import type {
  BudgetRefusal,
  BudgetSpike,
  BudgetWarningNotice,
  ReserveBudget,
} from '@tether/contracts';
import type { BudgetNotice } from './ports';

type Who = Pick<ReserveBudget, 'tenantId' | 'userId' | 'runId' | 'agent'>;

const whoOf = (r: Who) => ({ user: r.userId, run: r.runId, agent: r.agent });

export function warningNotice(req: Who, w: BudgetWarningNotice, at: Date): BudgetNotice {
  return {
    type: 'budget.warning',
    tenantId: req.tenantId,
    time: at,
    title: `budget.warning: ${w.cap} at ${Math.round(w.share * 100)}% of $${w.limitUsd} (${w.period})`,
    fields: { cap: w.cap, period: w.period, spent: w.spentUsd, limit: w.limitUsd, ...whoOf(req) },
    data: { ...w, tenantId: req.tenantId, userId: req.userId, runId: req.runId, agent: req.agent },
  };
}

export function refusalNotice(req: ReserveBudget, r: BudgetRefusal, at: Date): BudgetNotice {
  return {
    type: 'budget.exceeded',
    tenantId: req.tenantId,
    time: at,
    title: `budget.exceeded: ${req.item} refused by ${r.cap} (${r.reason}) for ${req.userId}`,
    fields: {
      cap: r.cap,
      period: r.period,
      reason: r.reason,
      spent: r.spentUsd,
      limit: r.limitUsd,
      ...(r.requestedUsd !== undefined && { requested: r.requestedUsd }),
      ...whoOf(req),
    },
    data: {
      ...r,
      tenantId: req.tenantId,
      userId: req.userId,
      runId: req.runId,
      agent: req.agent,
      reservationId: req.reservationId,
      item: req.item,
    },
  };
}

export function spikeNotice(s: BudgetSpike): BudgetNotice {
  return {
    type: s.type,
    tenantId: s.tenantId,
    time: new Date(s.time),
    title: `budget.spike: $${s.lastHourUsd} in the last hour, ${(s.lastHourUsd / s.baselineHourlyUsd).toFixed(1)}× the hourly average`,
    fields: {
      'last hour': s.lastHourUsd,
      'hourly average': s.baselineHourlyUsd,
      threshold: `${s.multiple}×`,
    },
    data: s,
  };
}
