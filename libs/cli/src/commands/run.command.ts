import type { RunMode } from '@tether/sdk';
import { ExitCode } from '../cli.errors';
import type { CommandContext } from './command.context';
import { printRun } from './run.printer';
import { exitCodeOf, formatOutcome } from '../event.formatter';

/** Said once on stderr when a followed run shows no event for this long. */
export const QUIET_HINT_MS = 10_000;

export interface RunArgs {
  agent: string;
  input: string;
  follow: boolean;
  wait: boolean;
  mode?: RunMode;
  roles?: string[];
}

/**
 * `tether run`: prints the run id, then (with --follow) the run as it happens, or (with --wait)
 * its outcome once it ends.
 */
export async function runCommand(ctx: CommandContext, args: RunArgs): Promise<ExitCode> {
  const { client, config } = ctx;
  const t0 = Date.now();
  const started = await client.startRun({
    agent: args.agent,
    input: args.input,
    userId: config.user,
    roles: args.roles,
    mode: args.mode,
  });
  ctx.out(config.json ? JSON.stringify(started) : started.runId);
  if (args.wait) return printOutcome(ctx, started.runId, t0);
  if (!args.follow) return ExitCode.Ok;

  let seen = false;
  const hint = setTimeout(() => {
    if (!seen)
      ctx.err(
        `no event yet for ${started.runId} after ${QUIET_HINT_MS / 1000}s: is the orchestrator running on prefix "${config.prefix}"? (npm start)`,
      );
  }, QUIET_HINT_MS);
  hint.unref();
  try {
    return await printRun(
      ctx,
      tap(client.follow(started.runId, { signal: ctx.signal }), () => (seen = true)),
    );
  } finally {
    clearTimeout(hint);
  }
}

/** Waits for the run's end alone (the SDK's `outcome`: one message, not every event). */
async function printOutcome(ctx: CommandContext, runId: string, t0: number): Promise<ExitCode> {
  const end = await ctx.client.outcome(runId, { signal: ctx.signal }).catch((err: unknown) => {
    if (ctx.signal.aborted) return undefined;
    throw err;
  });
  if (!end) return ExitCode.Interrupted;
  ctx.out(
    ctx.config.json ? JSON.stringify(end) : formatOutcome(end, Date.now() - t0, ctx.config.color),
  );
  return exitCodeOf(end);
}

async function* tap<T>(source: AsyncIterable<T>, onItem: () => void): AsyncGenerator<T> {
  for await (const item of source) {
    onItem();
    yield item;
  }
}
