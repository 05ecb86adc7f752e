import type { ToolSwitch } from '@tether/sdk';
import type { Invocation } from '../argv.parser';
import { ExitCode, UsageError } from '../cli.errors';
import type { CommandContext } from './command.context';

type ToolsInvocation = Extract<Invocation, { command: 'tools' }>;

/** `tether tools disable|enable <tool>` flips a kill switch; `tether tools switches` lists them. */
export async function toolsCommand(ctx: CommandContext, inv: ToolsInvocation): Promise<ExitCode> {
  if (inv.action === 'switches') return listSwitches(ctx, inv.flags.tenant);
  const by = inv.by ?? ctx.config.operator;
  if (!by) {
    throw new UsageError(`tools ${inv.action} cannot tell who you are: pass --by <who>`, 'tools');
  }
  // The scope comes from the --tenant flag only: without it, the switch holds for every tenant.
  const tenant = inv.flags.tenant;
  const options = { tenant, by, reason: inv.reason };
  const { record, key, revision } =
    inv.action === 'disable'
      ? await ctx.client.tools.disable(inv.tool, options)
      : await ctx.client.tools.enable(inv.tool, options);
  if (ctx.config.json) {
    ctx.out(
      JSON.stringify({
        status: record.enabled ? 'enabled' : 'disabled',
        tool: record.name,
        tenant: record.tenantId ?? null,
        key,
        revision,
        flipId: record.id,
        by: record.by,
        reason: record.reason,
        at: record.time,
      }),
    );
  } else {
    const state = record.enabled ? 'switched on' : 'switched off';
    ctx.out(
      `${record.name} ${state} for ${scopeText(record.tenantId)} by ${record.by}: ${record.reason} (${record.id})`,
    );
  }
  return ExitCode.Ok;
}

async function listSwitches(ctx: CommandContext, tenant: string | undefined): Promise<ExitCode> {
  const switches = await ctx.client.tools.switches({ tenant });
  if (ctx.config.json) {
    for (const s of switches) ctx.out(JSON.stringify({ ...s, tenant: s.tenant ?? null }));
    return ExitCode.Ok;
  }
  if (!switches.length) {
    ctx.out(tenant ? `no kill switches apply to tenant ${tenant}` : 'no kill switches are set');
    return ExitCode.Ok;
  }
  const toolWidth = Math.max(4, ...switches.map((s) => s.tool.length));
  const scopeWidth = Math.max(5, ...switches.map((s) => scopeText(s.tenant).length));
  ctx.out(
    `${'tool'.padEnd(toolWidth)}  state  ${'scope'.padEnd(scopeWidth)}  since                     by / reason`,
  );
  for (const s of switches) ctx.out(line(s, toolWidth, scopeWidth));
  return ExitCode.Ok;
}

function line(s: ToolSwitch, toolWidth: number, scopeWidth: number): string {
  const state = s.enabled ? 'on ' : 'OFF';
  const why = s.unreadable ? `unreadable value, counts as off` : `${s.by}: ${s.reason}`;
  return `${s.tool.padEnd(toolWidth)}  ${state}    ${scopeText(s.tenant).padEnd(scopeWidth)}  ${s.at.padEnd(24)}  ${why}`;
}

function scopeText(tenant: string | undefined): string {
  return tenant === undefined ? 'every tenant' : `tenant ${tenant}`;
}
