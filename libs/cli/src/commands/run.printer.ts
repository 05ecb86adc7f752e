import type { TetherEvent } from '@tether/sdk';
import { ExitCode } from '../cli.errors';
import { exitCodeOf, formatEvent, formatOutcome, isTerminal } from '../event.formatter';
import type { CommandContext } from './command.context';

/**
 * Prints events as they come (one line each, or one JSON each with --json) and then the outcome.
 * Returns the exit code: 0 for a successful outcome, 1 for any other, 130 when interrupted.
 */
export async function printRun(
  ctx: CommandContext,
  events: AsyncIterable<TetherEvent>,
): Promise<ExitCode> {
  let startMs: number | undefined;
  let last: TetherEvent | undefined;
  for await (const event of events) {
    startMs ??= Date.parse(event.time);
    last = event;
    ctx.out(
      ctx.config.json
        ? JSON.stringify(event)
        : formatEvent(event, { startMs, color: ctx.config.color }),
    );
    if (isTerminal(event)) break;
  }
  if (!last || !isTerminal(last))
    return ctx.signal.aborted ? ExitCode.Interrupted : ExitCode.Failed;
  if (!ctx.config.json)
    ctx.out(formatOutcome(last, Date.parse(last.time) - (startMs ?? 0), ctx.config.color));
  return exitCodeOf(last);
}
