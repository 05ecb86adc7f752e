import type { Msg, NatsConnection, Subscription } from 'nats';
import type { TerminalEventType, TetherEvent } from '@tether/contracts';
import { ClientClosedError, RunEndTimeoutError } from './sdk.errors';

/** A run's terminal event: `run.completed`, `run.failed`, `run.aborted`, `run.cancelled` or `run.rejected`. */
export type RunEnd = TetherEvent<TerminalEventType>;

export interface OutcomeOptions {
  /** Give up after this long with a `RunEndTimeoutError`; no limit by default (a run may wait for a human). */
  timeoutMs?: number;
  /**
   * How often the log is read in case the end was announced while this client was disconnected
   * (default 5 s). Every other end arrives as it happens.
   */
  pollMs?: number;
  /** Aborting rejects with the signal's reason. */
  signal?: AbortSignal;
}

export const DEFAULT_END_POLL_MS = 5_000;

export interface RunEndWatch {
  /** Settles once with the run's end, or the first error. */
  readonly done: Promise<RunEnd>;
  /** Looks in the log now (a run that may have ended before the watch began). */
  check(): void;
  /** Stops watching; `done` rejects with `reason`. */
  cancel(reason: unknown): void;
}

interface Waiter {
  /** Called with the announced message; the first call settles the watch. */
  announced(m: Msg): void;
  cancel(reason: unknown): void;
}

/**
 * Waits for runs' ends. An end is announced once on `<P>.end.<tenant>.<runId>` as soon as the log
 * stores it, so a waiter receives one message, not every event of its run. One subscription to
 * the tenant's ends serves every wait of the client: subscribing per run would make the server
 * rebuild its subject routing twice per run.
 *
 * The announcement is not stored: one sent while this client was disconnected, or lost with an
 * appender that died between storing and announcing, is found in the log instead, every
 * `pollMs`. The subscription is made before anything else the wait sends, and NATS handles one
 * connection's messages in order: a `run.start` or a log read sent after it cannot overtake it.
 */
export class RunEnds {
  private sub?: Subscription;
  private readonly waiting = new Map<string, Set<Waiter>>();

  constructor(
    private readonly nc: NatsConnection,
    /** `<P>.end.<tenant>.*`. */
    private readonly subject: string,
  ) {}

  watch(
    runId: string,
    options: OutcomeOptions,
    /** Decodes an announced end; throws `InvalidEventError` for anything else. */
    decode: (m: Msg) => Promise<RunEnd>,
    /** The run's end if its log already holds it. */
    endInLog: () => Promise<RunEnd | undefined>,
  ): RunEndWatch {
    this.sub ??= this.nc.subscribe(this.subject, {
      callback: (err, m) => {
        if (err) return this.closeAll(err);
        const waiters = this.waiting.get(m.subject.slice(m.subject.lastIndexOf('.') + 1));
        for (const w of waiters ?? []) w.announced(m);
      },
    });
    let settled = false;
    let checking = false;
    let resolve!: (end: RunEnd) => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<RunEnd>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A wait may end (timeout, abort, close) before its caller awaits it, as `startAndWait` does
    // while its command is published: that must not be an unhandled rejection. Awaiting `done`
    // still throws.
    done.catch(() => undefined);
    const finish = (outcome: { end: RunEnd } | { err: unknown }) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const waiters = this.waiting.get(runId);
      waiters?.delete(waiter);
      if (waiters?.size === 0) this.waiting.delete(runId);
      if ('end' in outcome) resolve(outcome.end);
      else reject(outcome.err);
    };
    const fail = (err: unknown) => finish({ err });
    const check = () => {
      if (settled || checking) return;
      checking = true;
      endInLog().then(
        (end) => {
          checking = false;
          if (end) finish({ end });
        },
        (err) => {
          checking = false;
          fail(err);
        },
      );
    };
    const onAbort = () => fail(options.signal?.reason);
    const waiter: Waiter = {
      announced: (m) => void decode(m).then((end) => finish({ end }), fail),
      cancel: fail,
    };

    let waiters = this.waiting.get(runId);
    if (!waiters) this.waiting.set(runId, (waiters = new Set()));
    waiters.add(waiter);
    const poll = setInterval(check, options.pollMs ?? DEFAULT_END_POLL_MS);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => fail(new RunEndTimeoutError(runId, options.timeoutMs!)),
            options.timeoutMs,
          );
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    return { done, check, cancel: fail };
  }

  /** Rejects every wait still open (the client closed) and drops the subscription. */
  close(): void {
    this.closeAll(new ClientClosedError('the client was closed'));
  }

  private closeAll(reason: unknown): void {
    for (const waiters of [...this.waiting.values()])
      for (const w of [...waiters]) w.cancel(reason);
    this.waiting.clear();
    if (this.sub && !this.sub.isClosed()) this.sub.unsubscribe();
    this.sub = undefined;
  }
}
