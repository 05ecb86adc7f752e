import type { Invocation } from '../argv.parser';
import { ExitCode } from '../cli.errors';
import type { CommandContext } from './command.context';
import { runLines, traceLines } from './runs.printer';

type RunsInvocation = Extract<Invocation, { command: 'runs' }>;

/** `tether runs`: one page of the tenant's runs from the trace-store, newest first. */
export async function runsCommand(ctx: CommandContext, inv: RunsInvocation): Promise<ExitCode> {
  const { command: _command, flags: _flags, ...filters } = inv;
  const page = await ctx.client.runs.list(filters);
  if (ctx.config.json) ctx.out(JSON.stringify(page));
  else runLines(page).forEach((line) => ctx.out(line));
  return ExitCode.Ok;
}

/** `tether trace <runId>`: the run's summary, then its timeline as the trace-store projected it. */
export async function traceCommand(ctx: CommandContext, runId: string): Promise<ExitCode> {
  const [run, entries] = await Promise.all([
    ctx.client.runs.get(runId),
    ctx.client.runs.events(runId),
  ]);
  if (ctx.config.json) {
    ctx.out(JSON.stringify(run));
    entries.forEach(({ event }) => ctx.out(JSON.stringify(event)));
  } else traceLines(run, entries, ctx.config.color).forEach((line) => ctx.out(line));
  return ExitCode.Ok;
}
