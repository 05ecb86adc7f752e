import { setTimeout as sleep } from 'node:timers/promises';
import { Presets, SingleBar } from 'cli-progress';
import { ExitCode } from '../cli.errors';
import { formatDuration } from '../event.formatter';
import type { CommandContext } from './command.context';

export const REBUILD_REQUEST_MS = 60_000;
export const POLL_MS = 200;
/** Give up when the checkpoint has not moved for this long. */
export const STALL_MS = 60_000;

/** `tether rebuild`: trace-store drops its projections and replays the log; we watch it catch up. */
export async function rebuildCommand(ctx: CommandContext): Promise<ExitCode> {
  const { client, config } = ctx;
  const began = Date.now();
  const { lastSeq: target } = await client.rebuildTraceStore(REBUILD_REQUEST_MS);
  const bar = config.json
    ? undefined
    : new SingleBar(
        {
          format:
            'replaying the event log |{bar}| {value}/{total} events · {percentage}% · ETA {eta_formatted}',
          stream: ctx.stderr,
          hideCursor: true,
          clearOnComplete: true,
        },
        Presets.shades_classic,
      );
  bar?.start(target, 0);
  let status = await client.traceStoreStatus();
  let moved = { checkpoint: status.checkpoint, at: Date.now() };
  try {
    while (status.checkpoint < target) {
      try {
        await sleep(POLL_MS, undefined, { signal: ctx.signal });
      } catch {
        return ExitCode.Interrupted;
      }
      status = await client.traceStoreStatus();
      bar?.update(Math.min(status.checkpoint, target));
      if (status.checkpoint > moved.checkpoint)
        moved = { checkpoint: status.checkpoint, at: Date.now() };
      else if (Date.now() - moved.at > STALL_MS) {
        throw new Error(
          `trace-store stopped at ${status.checkpoint} of ${target} events for ${STALL_MS / 1000}s; check its logs`,
        );
      }
    }
    bar?.update(target);
  } finally {
    bar?.stop();
  }
  const ms = Date.now() - began;
  ctx.out(
    config.json
      ? JSON.stringify({
          status: 'caught_up',
          events: target,
          checkpoint: status.checkpoint,
          lastSeq: status.lastSeq,
          ms,
        })
      : `trace-store caught up: ${target} events replayed in ${formatDuration(ms)}`,
  );
  return ExitCode.Ok;
}
