import { GLOBAL_CAP_TENANT } from '@tether/contracts';
import type { Invocation } from '../argv.parser';
import { ExitCode } from '../cli.errors';
import { capChangeLine, capLines } from './budget.printer';
import type { CommandContext } from './command.context';

type BudgetInvocation = Extract<Invocation, { command: 'budget' }>;

/** `tether budget caps` lists the caps that hold for a tenant; `tether budget set` changes one. */
export async function budgetCommand(ctx: CommandContext, inv: BudgetInvocation): Promise<ExitCode> {
  const tenant = ctx.config.tenant;
  if (inv.action === 'caps') {
    const caps = await ctx.client.budget.caps(tenant);
    if (ctx.config.json) caps.forEach((c) => ctx.out(JSON.stringify(c)));
    else if (!caps.length) ctx.out(`no budget caps hold for tenant ${tenant}`);
    else capLines(caps).forEach((line) => ctx.out(line));
    return ExitCode.Ok;
  }
  const record = await ctx.client.budget.setCap({
    tenantId: inv.global ? GLOBAL_CAP_TENANT : tenant,
    cap: inv.cap,
    ...(inv.subject !== undefined && { subject: inv.subject }),
    limitUsd: inv.limitUsd,
    by: inv.by,
    reason: inv.reason,
  });
  ctx.out(ctx.config.json ? JSON.stringify(record) : capChangeLine(record));
  return ExitCode.Ok;
}
