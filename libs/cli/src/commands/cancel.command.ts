import type { CommandRejected, TetherEvent } from '@tether/sdk';
import { ExitCode } from '../cli.errors';
import type { CommandContext } from './command.context';

/** How long `tether cancel` waits for the orchestrator's answer. */
export const CANCEL_ANSWER_MS = 10_000;
/** Rejections are read from this long before the publish, so a skewed clock cannot hide ours. */
const CLOCK_SKEW_MS = 60_000;

type Answer =
  | { status: 'cancelled'; event: TetherEvent<'run.cancelled'> }
  | { status: 'rejected'; rejection: CommandRejected }
  | { status: 'no_answer' };

/** `tether cancel <runId>`: publishes run.cancel, then reports the run.cancelled or the rejection. */
export async function cancelCommand(
  ctx: CommandContext,
  runId: string,
  reason: string | undefined,
): Promise<ExitCode> {
  const { client, config } = ctx;
  const since = new Date(Date.now() - CLOCK_SKEW_MS);
  const { idempotencyKey } = await client.cancel(runId, { requestedBy: config.user, reason });

  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let answer: Answer | undefined;
  try {
    answer = await firstDefined<Answer>([
      (async () => {
        for await (const event of client.follow(runId, { signal: stop.signal })) {
          if (event.type === 'run.cancelled') return { status: 'cancelled', event };
        }
        return undefined;
      })(),
      (async () => {
        for await (const rejection of client.rejections({ since, signal: stop.signal })) {
          if (rejection.requestId === idempotencyKey) return { status: 'rejected', rejection };
        }
        return undefined;
      })(),
      new Promise<Answer | undefined>((resolve) => {
        timer = setTimeout(() => resolve({ status: 'no_answer' }), CANCEL_ANSWER_MS);
        stop.signal.addEventListener('abort', () => resolve(undefined), { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    stop.abort();
    ctx.signal.removeEventListener('abort', onAbort);
  }

  if (!answer) return ExitCode.Interrupted;
  switch (answer.status) {
    case 'cancelled':
      ctx.out(
        config.json
          ? JSON.stringify({ runId, idempotencyKey, status: 'cancelled', event: answer.event })
          : `cancelled ${runId}: ${answer.event.data.message}`,
      );
      return ExitCode.Ok;
    case 'rejected': {
      const { reason: code, message } = answer.rejection;
      if (config.json)
        ctx.out(
          JSON.stringify({ runId, idempotencyKey, status: 'rejected', reason: code, message }),
        );
      else ctx.err(`cancel of ${runId} rejected (${code}): ${message}`);
      return ExitCode.Failed;
    }
    case 'no_answer':
      if (config.json) ctx.out(JSON.stringify({ runId, idempotencyKey, status: 'no_answer' }));
      else
        ctx.err(
          `cancel of ${runId} sent (${idempotencyKey}) but not answered within ${CANCEL_ANSWER_MS / 1000}s: is the orchestrator running on prefix "${config.prefix}"?`,
        );
      return ExitCode.Failed;
    default: {
      const never: never = answer;
      return never;
    }
  }
}

/** The first promise to resolve with a value; undefined once all resolved without one. A rejection wins too. */
function firstDefined<T>(tasks: Array<Promise<T | undefined>>): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    let pending = tasks.length;
    for (const task of tasks) {
      task.then((value) => {
        if (value !== undefined) resolve(value);
        else if (--pending === 0) resolve(undefined);
      }, reject);
    }
  });
}
