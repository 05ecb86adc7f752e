import type { Invocation } from '../argv.parser';
import { ExitCode } from '../cli.errors';
import { spendLines } from './budget.printer';
import type { CommandContext } from './command.context';

type SpendInvocation = Extract<Invocation, { command: 'spend' }>;

/** `tether spend`: the tenant's settled spend, grouped, with the total and what is held. */
export async function spendCommand(ctx: CommandContext, inv: SpendInvocation): Promise<ExitCode> {
  const report = await ctx.client.budget.spend({
    tenantId: ctx.config.tenant,
    by: inv.by,
    ...(inv.from !== undefined && { from: inv.from }),
    ...(inv.to !== undefined && { to: inv.to }),
    ...(inv.userId !== undefined && { userId: inv.userId }),
    ...(inv.agent !== undefined && { agent: inv.agent }),
    ...(inv.model !== undefined && { model: inv.model }),
  });
  if (ctx.config.json) ctx.out(JSON.stringify(report));
  else spendLines(report).forEach((line) => ctx.out(line));
  return ExitCode.Ok;
}
