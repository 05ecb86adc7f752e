import type { BudgetCap } from '@tether/contracts';

/** A cap as the budget service lists it. */
export const aCap: BudgetCap = {
  tenantId: 'acme',
  cap: 'tenant_daily',
  subject: '*',
  limitUsd: 50,
  updatedAt: '2026-11-21T10:00:00.000Z',
  updatedBy: 'alice',
  reason: 'launch week',
};
