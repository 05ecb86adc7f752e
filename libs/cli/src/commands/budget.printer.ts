import {
  GLOBAL_CAP_TENANT,
  type BudgetCap,
  type BudgetCapChanged,
  type SpendReport,
} from '@tether/contracts';
import { table } from './table.printer';

/**
 * Dollars as a person reads them: cents for round amounts, more places for the fractions of a
 * cent model calls cost (up to 6, trailing zeros dropped past the cents).
 */
export function usd(amount: number): string {
  const fixed = amount.toFixed(6).replace(/0+$/, '');
  const [whole, fraction = ''] = fixed.split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
}

/** Spend as a table: one line per group (dollars, calls, share of the total), then the total and what is held. */
export function spendLines(report: SpendReport): string[] {
  const heading = `spend of tenant ${report.tenantId} by ${report.by}, ${report.from} to ${report.to} (UTC)`;
  if (!report.rows.length)
    return [heading, `no settled spend`, `held   ${usd(report.heldUsd)} (calls under way)`];
  const calls = report.rows.reduce((n, r) => n + r.calls, 0);
  const rows = report.rows.map((r) => [
    r.key,
    usd(r.spentUsd),
    String(r.calls),
    report.totalUsd > 0 ? `${((r.spentUsd / report.totalUsd) * 100).toFixed(1)}%` : '-',
  ]);
  const total = ['total', usd(report.totalUsd), String(calls), ''];
  const held = ['held', usd(report.heldUsd), '', ''];
  return [
    heading,
    ...table([report.by, 'dollars', 'calls', 'share'], [...rows, total, held], 'lrrr'),
  ];
}

/** Caps as a table; the global ones (tenant `_all`) read "every tenant". */
export function capLines(caps: BudgetCap[]): string[] {
  const rows = caps.map((c) => [
    c.cap,
    scope(c.tenantId),
    c.subject,
    usd(c.limitUsd),
    c.updatedAt,
    `${c.updatedBy}: ${c.reason}`,
  ]);
  return table(['cap', 'scope', 'subject', 'limit', 'since', 'by / reason'], rows, 'lllrll');
}

/** One line saying what a cap change did, and the id of its audit record. */
export function capChangeLine(c: BudgetCapChanged): string {
  const who = c.subject === '*' ? '' : ` of user ${c.subject}`;
  const from = c.previousUsd === null ? 'none' : usd(c.previousUsd);
  const to = c.limitUsd === null ? 'none (removed)' : usd(c.limitUsd);
  return `${c.cap}${who} for ${scope(c.tenantId)}: ${from} → ${to}, by ${c.by}: ${c.reason} (${c.id})`;
}

function scope(tenant: string): string {
  return tenant === GLOBAL_CAP_TENANT ? 'every tenant' : `tenant ${tenant}`;
}
