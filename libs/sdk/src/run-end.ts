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
  private readonly waiting = new Map<string, Set<EndWait>>();

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
        const waits = this.waiting.get(m.subject.slice(m.subject.lastIndexOf('.') + 1));
        for (const w of waits ?? []) w.announced(m);
      },
    });
    const wait: EndWait = new EndWait(runId, options, decode, endInLog, () =>
      this.forget(runId, wait),
    );
    let waits = this.waiting.get(runId);
    if (!waits) this.waiting.set(runId, (waits = new Set()));
    waits.add(wait);
    return wait;
  }

  private forget(runId: string, wait: EndWait): void {
    const waits = this.waiting.get(runId);
    waits?.delete(wait);
    if (waits?.size === 0) this.waiting.delete(runId);
  }

  /** Rejects every wait still open (the client closed) and drops the subscription. */
  close(): void {
    this.closeAll(new ClientClosedError('the client was closed'));
  }

  private closeAll(reason: unknown): void {
    for (const waits of [...this.waiting.values()]) for (const w of [...waits]) w.cancel(reason);
    this.waiting.clear();
    if (this.sub && !this.sub.isClosed()) this.sub.unsubscribe();
    this.sub = undefined;
  }
}

/** One wait for one run's end: settles once, then stops its timers and leaves the table. */
class EndWait implements RunEndWatch {
  readonly done: Promise<RunEnd>;
  private settled = false;
  private checking = false;
  private resolve!: (end: RunEnd) => void;
  private reject!: (err: unknown) => void;
  private readonly poll: ReturnType<typeof setInterval>;
  private readonly timer?: ReturnType<typeof setTimeout>;
  private readonly onAbort = () => this.cancel(this.options.signal?.reason);

  constructor(
    runId: string,
    private readonly options: OutcomeOptions,
    private readonly decode: (m: Msg) => Promise<RunEnd>,
    private readonly endInLog: () => Promise<RunEnd | undefined>,
    private readonly forget: () => void,
  ) {
    this.done = new Promise<RunEnd>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A wait may end (timeout, abort, close) before its caller awaits it, as `startAndWait` does
    // while its command is published: that must not be an unhandled rejection. Awaiting `done`
    // still throws.
    this.done.catch(() => undefined);
    this.poll = setInterval(() => this.check(), options.pollMs ?? DEFAULT_END_POLL_MS);
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined)
      this.timer = setTimeout(
        () => this.cancel(new RunEndTimeoutError(runId, timeoutMs)),
        timeoutMs,
      );
    // Settled once the caller has it in hand, not while it is being made.
    if (signal?.aborted) queueMicrotask(this.onAbort);
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  announced(m: Msg): void {
    this.decode(m).then(
      (end) => this.finish({ end }),
      (err) => this.cancel(err),
    );
  }

  check(): void {
    if (this.settled || this.checking) return;
    this.checking = true;
    this.endInLog().then(
      (end) => {
        this.checking = false;
        if (end) this.finish({ end });
      },
      (err) => {
        this.checking = false;
        this.cancel(err);
      },
    );
  }

  cancel(reason: unknown): void {
    this.finish({ err: reason });
  }

  private finish(outcome: { end: RunEnd } | { err: unknown }): void {
    if (this.settled) return;
    this.settled = true;
    clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.forget();
    if ('end' in outcome) this.resolve(outcome.end);
    else this.reject(outcome.err);
  }
}
