import { ExitCode } from '../cli.errors';
import { isTerminal } from '../event.formatter';
import type { CommandContext } from './command.context';
import { printRun } from './run.printer';

/** `tether events <runId>`: the run's whole log, then its outcome when it has ended. */
export async function eventsCommand(ctx: CommandContext, runId: string): Promise<ExitCode> {
  const events = await ctx.client.events(runId);
  if (events.length === 0) {
    ctx.err(`no events for ${runId} (tenant ${ctx.config.tenant}, prefix ${ctx.config.prefix})`);
    return ExitCode.Failed;
  }
  await printRun(ctx, toAsync(events));
  if (!ctx.config.json && !isTerminal(events[events.length - 1])) ctx.out('… still running');
  return ExitCode.Ok;
}

async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
