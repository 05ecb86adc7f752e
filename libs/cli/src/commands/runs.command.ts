import type { Invocation } from '../argv.parser';
import { ExitCode } from '../cli.errors';
import type { CommandContext } from './command.context';
import { runLines, traceLines } from './runs.printer';
import { timelineLines } from './timeline.printer';

type RunsInvocation = Extract<Invocation, { command: 'runs' }>;
type TraceInvocation = Extract<Invocation, { command: 'trace' }>;

/** `tether runs`: one page of the tenant's runs from the trace-store, newest first. */
export async function runsCommand(ctx: CommandContext, inv: RunsInvocation): Promise<ExitCode> {
  const { command: _command, flags: _flags, ...filters } = inv;
  const page = await ctx.client.runs.list(filters);
  if (ctx.config.json) ctx.out(JSON.stringify(page));
  else runLines(page).forEach((line) => ctx.out(line));
  return ExitCode.Ok;
}

/**
 * `tether trace <runId>`: what the run did, from the trace-store's timeline; with `--events`, its
 * projected events one line each.
 */
export async function traceCommand(ctx: CommandContext, inv: TraceInvocation): Promise<ExitCode> {
  if (!inv.events) {
    const timeline = await ctx.client.runs.timeline(inv.runId);
    if (ctx.config.json) ctx.out(JSON.stringify(timeline));
    else timelineLines(timeline, ctx.config.color).forEach((line) => ctx.out(line));
    return ExitCode.Ok;
  }
  const [run, entries] = await Promise.all([
    ctx.client.runs.get(inv.runId),
    ctx.client.runs.events(inv.runId),
  ]);
  if (ctx.config.json) {
    ctx.out(JSON.stringify(run));
    entries.forEach(({ event }) => ctx.out(JSON.stringify(event)));
  } else traceLines(run, entries, ctx.config.color).forEach((line) => ctx.out(line));
  return ExitCode.Ok;
}
