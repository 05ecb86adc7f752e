import {
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type OrderedConsumerOptions,
  type PubAck,
} from 'nats';
import {
  ALL_TENANTS,
  BUDGET_SERVICE,
  TRACE_STORE_SERVICE,
  CommandName,
  CommandRejected,
  DEFAULT_PREFIX,
  Header,
  PREFIX_PATTERN,
  RUN_ID_PATTERN,
  isEventType,
  isTerminalType,
  isToken,
  parseAs,
  parseCommand,
  parseJson,
  bucketNames,
  streamNames,
  subjects,
  type CommandBody,
  type DecideApproval,
  type EventType,
  type RunExecution,
  type RunMode,
  type StoredEvent,
  type TetherEvent,
} from '@tether/contracts';
import { NotFoundError, ValidationError, isErrorNamed } from '@tether/errors';
import {
  EventStore,
  connectNats,
  type PayloadStore,
  encodeJson,
  ensureDurable,
  isNotFound,
  newId,
  requestService,
  type RemoteError,
} from '@tether/event-store';
import { BUDGET_REQUEST_MS, budgetOf, type Budget } from './budget';
import { TRACE_REQUEST_MS, runsOf, type Runs } from './runs';
import {
  flipToolSwitch,
  listToolSwitches,
  type FlipOptions,
  type ToolSwitchFlip,
  type ToolSwitches,
} from './tool-switches';
import { RunEnds, type OutcomeOptions, type RunEnd, type RunEndWatch } from './run-end';
import {
  InvalidEventError,
  ServiceUnavailableError,
  StreamUnavailableError,
  isNoResponders,
  isRequestTimeout,
} from './sdk.errors';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** A `Nats-Msg-Id`: printable ASCII, no spaces (it travels in a header). */
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,256}$/;
/** JetStream consumer names may not contain `.`, `*`, `>` or whitespace. */
const DURABLE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface ClientOptions {
  /** Subject prefix `<P>`; `tether` by default. */
  prefix?: string;
  /** The tenant every command is sent for and every read is scoped to. */
  tenant: string;
}

export interface ConnectOptions extends ClientOptions {
  /** `nats://127.0.0.1:4222` by default. */
  natsUrl?: string;
  /** Shown in the server's connection list. */
  name?: string;
}

export interface StartRunInput {
  agent: string;
  input: string;
  userId: string;
  /** Roles of the user; `["user"]` by default. */
  roles?: string[];
  mode?: RunMode;
  /** `async` for a run nobody waits on: the agent's longer `asyncTimeoutMs` applies. */
  execution?: RunExecution;
  metadata?: Record<string, unknown>;
  /** `run_` + ULID by default. */
  runId?: string;
  /**
   * The command's `Nats-Msg-Id`; `start-<runId>` by default, so retrying with the same runId is a
   * no-op. JetStream dedupes within the `_CMD` stream's duplicate window (2 minutes).
   */
  idempotencyKey?: string;
}

export interface StartedRun {
  runId: string;
  idempotencyKey: string;
  /** True when the key had already been used: `runId` is then the run of the first command. */
  duplicate: boolean;
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Replay the run from its first event (default), or only events appended from now on. */
  fromStart?: boolean;
  /** Resume after this `_EVT` sequence (the `seq` of the last entry received); wins over `fromStart`. */
  afterSeq?: number;
}

/** One event of a run's log with its position in the `_EVT` stream. */
export interface LogEntry {
  seq: number;
  event: TetherEvent;
}

export interface SubscribeOptions<T extends EventType = EventType> {
  /** Only these types are yielded; others are acked and skipped without being parsed. */
  types?: T[];
  /**
   * Name of a durable consumer on `<P>.evt.<tenant>.>`. Every subscriber using the same name
   * shares it: each event goes to one of them, and the group resumes where it stopped. Without a
   * name, an ephemeral ordered consumer gives this subscriber every event (ack/nak are no-ops).
   */
  durable?: string;
  /** The client's tenant by default; `*` for every tenant. */
  tenant?: string;
  /** Ephemeral only: replay from the start of the log (default) or only new events. */
  fromStart?: boolean;
  signal?: AbortSignal;
  /** Durable only: redelivery after this long without ack (default 30 s). */
  ackWaitMs?: number;
  /** Durable only: unacked events in flight across the whole group (default 1000). */
  maxAckPending?: number;
  /**
   * Durable only: events pulled ahead by this subscriber (default 100). Their ack wait runs while
   * they wait in the buffer, so keep it small when each event takes long to handle.
   */
  batch?: number;
}

/** One event handed to a subscriber, with its stream sequence and acknowledgement. */
export interface Delivery<T extends EventType = EventType> {
  event: TetherEvent<T>;
  /** Sequence in the `_EVT` stream. */
  seq: number;
  subject: string;
  /** True when an earlier delivery was not acked in time (or was nak'ed). */
  redelivered: boolean;
  ack(): void;
  /** Redeliver, after `delayMs` when given. */
  nak(delayMs?: number): void;
  /** Never redeliver. */
  term(): void;
  /** Extend the ack deadline of a slow handler. */
  working(): void;
}

export interface CancelOptions {
  requestedBy: string;
  reason?: string;
  /** `cancel_` + ULID by default. */
  idempotencyKey?: string;
}

export interface RejectionsOptions {
  /** Only rejections recorded at or after this time; all of them by default. */
  since?: Date;
  signal?: AbortSignal;
}

export interface TraceStoreStatus {
  /** Stream sequence of the last event projected. */
  checkpoint: number;
  /** Last sequence of the event log. */
  lastSeq: number;
}

/** A log message, or an announced end (which has no stream sequence). */
type Message = Pick<JsMsg, 'subject' | 'data'> & { seq?: number };

/**
 * A client of the Tether bus for one tenant. Commands are validated against the contract before
 * they are published; everything read back is validated too, and an event that does not match
 * its contract is thrown as a `ValidationError`, never skipped.
 */
export class TetherClient {
  readonly prefix: string;
  readonly tenant: string;
  /**
   * The prefix's per-tool kill switches. They are not scoped to the client's tenant: a flip holds
   * for the tenant it names, or for every tenant when it names none.
   */
  readonly tools: ToolSwitches;
  /**
   * The budget service: caps (of the client's tenant by default, or any tenant named, `_all` for
   * the global ones) and spend reports.
   */
  readonly budget: Budget;
  /** The tenant's runs as the trace-store projects them: list, summary, timeline. */
  readonly runs: Runs;
  private readonly ownsConnection: boolean;
  private readonly open = new Map<ConsumerMessages, () => void>();
  private ends?: RunEnds;
  private jsClient?: JetStreamClient;
  private jsManager?: JetStreamManager;
  private eventStore?: EventStore;

  /** Wraps an existing connection; `close()` leaves it open unless `ownsConnection` is set. */
  constructor(
    readonly nc: NatsConnection,
    options: ClientOptions & { ownsConnection?: boolean },
  ) {
    const { prefix, tenant } = TetherClient.checkOptions(options);
    this.prefix = prefix;
    this.tenant = tenant;
    this.ownsConnection = options.ownsConnection ?? false;
    this.tools = {
      disable: (tool, o) => this.flipTool(tool, false, o),
      enable: (tool, o) => this.flipTool(tool, true, o),
      switches: async (o = {}) => {
        try {
          return await listToolSwitches(this.js, this.prefix, o);
        } catch (err) {
          throw this.explain(err, `the ${bucketNames(this.prefix).switches} bucket`);
        }
      },
    };
    this.budget = budgetOf(
      (op, body) => this.request(BUDGET_SERVICE, op, body, BUDGET_REQUEST_MS),
      tenant,
    );
    this.runs = runsOf(
      (op, body) => this.request(TRACE_STORE_SERVICE, op, body, TRACE_REQUEST_MS),
      tenant,
    );
  }

  /** Connects to NATS; throws `NatsUnavailableError` (with the URL) when nothing answers. */
  static async connect(options: ConnectOptions): Promise<TetherClient> {
    TetherClient.checkOptions(options);
    const nc = await connectNats({
      url: options.natsUrl ?? DEFAULT_NATS_URL,
      name: options.name ?? 'tether-sdk',
    });
    return new TetherClient(nc, { ...options, ownsConnection: true });
  }

  /** Publishes `run.start`. Resolves once `_CMD` has stored it; follow the run with `follow(runId)`. */
  async startRun(input: StartRunInput): Promise<StartedRun> {
    const runId = input.runId ?? newId('run');
    const idempotencyKey = input.idempotencyKey ?? `start-${runId}`;
    const body = this.validate(CommandName.RunStart, {
      runId,
      agent: input.agent,
      input: input.input,
      userId: input.userId,
      roles: input.roles ?? ['user'],
      ...(input.mode !== undefined && { mode: input.mode }),
      ...(input.execution !== undefined && { execution: input.execution }),
      ...(input.metadata !== undefined && { metadata: input.metadata }),
    });
    checkKey(idempotencyKey);
    const ack = await this.publishCommand(CommandName.RunStart, body, idempotencyKey);
    if (!ack.duplicate) return { runId, idempotencyKey, duplicate: false };
    return {
      runId: await this.runIdOfCommand(ack.seq, idempotencyKey),
      idempotencyKey,
      duplicate: true,
    };
  }

  /**
   * Starts a run and waits for its end: `run.completed`, or how it ended otherwise. Only the
   * terminal event travels to this client, not every event of the run (use `follow` for those).
   */
  async startAndWait(
    input: StartRunInput,
    options: OutcomeOptions = {},
  ): Promise<StartedRun & { end: RunEnd }> {
    const runId = input.runId ?? newId('run');
    checkRunId(runId);
    const watch = this.watchEnd(runId, options);
    let started: StartedRun;
    try {
      started = await this.startRun({ ...input, runId });
    } catch (err) {
      watch.cancel(err);
      throw err;
    }
    if (started.runId !== runId) {
      // The key had started another run: wait for that one.
      watch.cancel(new Error('superseded'));
      return { ...started, end: await this.outcome(started.runId, options) };
    }
    // A repeated command: the run may have ended before we subscribed.
    if (started.duplicate) watch.check();
    return { ...started, end: await watch.done };
  }

  /**
   * The end of a run: its terminal event, at once if the run has already ended, else as soon as
   * it ends. Rejects with `RunEndTimeoutError` after `timeoutMs`.
   */
  async outcome(runId: string, options: OutcomeOptions = {}): Promise<RunEnd> {
    checkRunId(runId);
    const watch = this.watchEnd(runId, options);
    watch.check();
    return watch.done;
  }

  /**
   * Every event of one run, in order, ending after its terminal event. Replays from the first
   * event, and waits for the run if it has no event yet. Aborting the signal ends it quietly.
   */
  async *follow(runId: string, options: FollowOptions = {}): AsyncGenerator<TetherEvent> {
    for await (const { event } of this.followLog(runId, options)) yield event;
  }

  /** `follow`, with each event's stream sequence: what a reader that resumes later keeps. */
  async *followLog(runId: string, options: FollowOptions = {}): AsyncGenerator<LogEntry> {
    checkRunId(runId);
    if (
      options.afterSeq !== undefined &&
      !(Number.isInteger(options.afterSeq) && options.afterSeq >= 0)
    )
      throw new ValidationError('invalid follow', ['afterSeq must be a non-negative integer']);
    const subject = subjects.run(this.prefix, this.tenant, runId);
    const policy: Partial<OrderedConsumerOptions> =
      options.afterSeq === undefined
        ? fromStartPolicy(options.fromStart)
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.afterSeq + 1 };
    const messages = await this.ordered(subject, policy, options.signal);
    if (!messages) return;
    try {
      for await (const m of messages) {
        const event = await decode(m, this.store().payloads);
        yield { seq: m.seq, event };
        if (isTerminalType(event.type)) return;
      }
    } finally {
      this.release(messages);
    }
  }

  /** Events of the tenant's runs (`<P>.evt.<tenant>.>`) as they are appended, in log order. */
  async *subscribe<T extends EventType = EventType>(
    options: SubscribeOptions<T> = {},
  ): AsyncGenerator<Delivery<T>> {
    const tenant = options.tenant ?? this.tenant;
    if (tenant !== '*' && !isToken(tenant))
      throw new ValidationError('invalid subscription', [`tenant "${tenant}" is not a valid id`]);
    for (const t of options.types ?? []) {
      if (!isEventType(t))
        throw new ValidationError('invalid subscription', [`unknown event type "${t}"`]);
    }
    const wanted = options.types ? new Set<string>(options.types) : undefined;
    const filter = subjects.tenantEvents(this.prefix, tenant);
    const durable = options.durable;
    const messages = durable
      ? await this.durable(durable, filter, options)
      : await this.ordered(filter, fromStartPolicy(options.fromStart), options.signal);
    if (!messages) return;
    try {
      for await (const m of messages) {
        // The header lets us skip unwanted events without parsing them.
        const type = m.headers?.get(Header.Type);
        if (wanted && type && !wanted.has(type)) {
          if (durable) m.ack();
          continue;
        }
        let event: TetherEvent;
        try {
          event = await decode(m, this.store().payloads);
        } catch (err) {
          if (durable && isErrorNamed(err, 'InvalidEventError'))
            await this.deadLetter(durable, m, err);
          throw err;
        }
        if (wanted && !wanted.has(event.type)) {
          if (durable) m.ack();
          continue;
        }
        yield delivery<T>(m, event as TetherEvent<T>, durable !== undefined);
      }
    } finally {
      this.release(messages);
    }
  }

  /** The whole log of one run, in order; empty when the run has no event. */
  async events(runId: string): Promise<TetherEvent[]> {
    checkRunId(runId);
    return (await this.readLog(runId)).map((s) => s.event);
  }

  /**
   * Publishes `run.cancel`. The outcome is recorded on the bus: `run.cancelled` on the run, or a
   * `command.rejected` (see `rejections()`) for an unknown or finished run.
   */
  async cancel(runId: string, options: CancelOptions): Promise<{ idempotencyKey: string }> {
    const body = this.validate(CommandName.RunCancel, {
      runId,
      requestedBy: options.requestedBy,
      ...(options.reason !== undefined && { reason: options.reason }),
    });
    const idempotencyKey = options.idempotencyKey ?? newId('cancel');
    checkKey(idempotencyKey);
    await this.publishCommand(CommandName.RunCancel, body, idempotencyKey);
    return { idempotencyKey };
  }

  /** Publishes `approval.decide` (approve or deny a pending tool call, optionally with edited arguments). */
  async decide(
    input: DecideApproval,
    options: { idempotencyKey?: string } = {},
  ): Promise<{ idempotencyKey: string }> {
    const body = this.validate(CommandName.ApprovalDecide, input);
    const idempotencyKey = options.idempotencyKey ?? newId('decide');
    checkKey(idempotencyKey);
    await this.publishCommand(CommandName.ApprovalDecide, body, idempotencyKey);
    return { idempotencyKey };
  }

  /** `command.rejected` records of the tenant (`<P>.ctl.<tenant>.rejected`): commands that could not be tied to a run. Never ends by itself. */
  async *rejections(options: RejectionsOptions = {}): AsyncGenerator<CommandRejected> {
    const subject = subjects.rejectedCommands(this.prefix, this.tenant);
    const policy: Partial<OrderedConsumerOptions> = options.since
      ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.since.toISOString() }
      : fromStartPolicy(true);
    const messages = await this.ordered(subject, policy, options.signal, 'ctl');
    if (!messages) return;
    try {
      for await (const m of messages) {
        const json = parseJson(m.data);
        const parsed = json.ok ? parseAs(CommandRejected, json.value) : json;
        if (!parsed.ok) {
          const where = `${m.subject}#${m.seq}`;
          throw new InvalidEventError(
            `invalid command.rejected at ${where}`,
            parsed.problems,
            m.subject,
            m.seq,
          );
        }
        yield parsed.value;
      }
    } finally {
      this.release(messages);
    }
  }

  /** Asks trace-store to drop its projections and replay the log; resolves with the log's last sequence at that time. */
  async rebuildTraceStore(timeoutMs = 60_000): Promise<{ lastSeq: number }> {
    const reply = await this.request<{ lastSeq: unknown }>('trace-store', 'rebuild', {}, timeoutMs);
    return { lastSeq: asSeq(reply?.lastSeq, 'lastSeq') };
  }

  /** How far trace-store's projections have caught up with the log. */
  async traceStoreStatus(timeoutMs = 5_000): Promise<TraceStoreStatus> {
    const reply = await this.request<{ checkpoint: unknown; lastSeq: unknown }>(
      'trace-store',
      'status',
      {},
      timeoutMs,
    );
    return {
      checkpoint: asSeq(reply?.checkpoint, 'checkpoint'),
      lastSeq: asSeq(reply?.lastSeq, 'lastSeq'),
    };
  }

  /** Ends every open follow/subscribe/rejections iteration and every wait for an outcome, and closes the connection if this client opened it. */
  async close(): Promise<void> {
    this.ends?.close();
    for (const [messages, untrack] of this.open) {
      untrack();
      messages.stop();
    }
    this.open.clear();
    if (this.ownsConnection && !this.nc.isClosed()) await this.nc.close();
  }

  private static checkOptions(options: ClientOptions): { prefix: string; tenant: string } {
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    const problems: string[] = [];
    if (!PREFIX_PATTERN.test(prefix))
      problems.push(
        `prefix "${prefix}" must be 1-32 lower-case letters, digits, "_" or "-", starting with a letter`,
      );
    if (!isToken(options.tenant))
      problems.push(`tenant "${options.tenant}" must be 1-64 letters, digits, "_" or "-"`);
    if (problems.length) throw new ValidationError('invalid client options', problems);
    return { prefix, tenant: options.tenant };
  }

  private get js(): JetStreamClient {
    this.jsClient ??= this.nc.jetstream();
    return this.jsClient;
  }

  /** The run log: reads, and the payloads of events too large for a message. */
  private store(): EventStore {
    this.eventStore ??= new EventStore(this.nc, this.prefix, this.js);
    return this.eventStore;
  }

  private watchEnd(runId: string, options: OutcomeOptions): RunEndWatch {
    this.ends ??= new RunEnds(this.nc, subjects.tenantEnds(this.prefix, this.tenant));
    // The log is read on from where the previous look stopped. Usually the end is the last
    // event, but an approval's outcome may still follow it.
    let seen = 0;
    return this.ends.watch(
      runId,
      options,
      async (m) => {
        const event = await decode(m, this.store().payloads);
        if (event.runId === runId && event.tenantId === this.tenant && isTerminalType(event.type))
          return event as RunEnd;
        throw new InvalidEventError(
          `invalid run end on ${m.subject}`,
          [`${event.type} of ${event.tenantId}/${event.runId} is not the end of this run`],
          m.subject,
        );
      },
      async () => {
        const entries = await this.readLog(runId, seen);
        seen = entries.at(-1)?.seq ?? seen;
        return entries.map((e) => e.event).find((e): e is RunEnd => isTerminalType(e.type));
      },
    );
  }

  /** A run's events after `afterSeq`, in order; an event that breaks its contract is an `InvalidEventError`. */
  private async readLog(runId: string, afterSeq = 0): Promise<StoredEvent[]> {
    try {
      return await this.store().read(this.tenant, runId, afterSeq);
    } catch (err) {
      if (!isErrorNamed(err, 'ValidationError')) throw err;
      const subject = subjects.run(this.prefix, this.tenant, runId);
      throw new InvalidEventError(
        `invalid event in ${subject}`,
        (err as ValidationError).problems,
        subject,
        undefined,
        { cause: err },
      );
    }
  }

  private async flipTool(
    tool: string,
    enabled: boolean,
    options: FlipOptions,
  ): Promise<ToolSwitchFlip> {
    try {
      return await flipToolSwitch(this.js, this.prefix, { ...options, tool, enabled });
    } catch (err) {
      throw this.explain(err, subjects.switchFlips(this.prefix, options.tenant ?? ALL_TENANTS));
    }
  }

  private async jsm(): Promise<JetStreamManager> {
    this.jsManager ??= await this.nc.jetstreamManager();
    return this.jsManager;
  }

  private validate<N extends CommandName>(name: N, body: unknown): CommandBody<N> {
    const parsed = parseCommand(name, body);
    if (!parsed.ok) throw new ValidationError(`invalid ${name} command`, parsed.problems);
    // Publish the plain body, not the class instance the parser built.
    return body as CommandBody<N>;
  }

  private async publishCommand(
    name: CommandName,
    body: unknown,
    idempotencyKey: string,
  ): Promise<PubAck> {
    const subject = subjects.command(this.prefix, this.tenant, name);
    try {
      return await this.js.publish(subject, encodeJson(body), { msgID: idempotencyKey });
    } catch (err) {
      throw this.explain(err, subject);
    }
  }

  /** The run a deduplicated `run.start` named: JetStream's ack of a duplicate carries the original's sequence. */
  private async runIdOfCommand(seq: number, idempotencyKey: string): Promise<string> {
    const jsm = await this.jsm();
    const stored = await jsm.streams.getMessage(streamNames(this.prefix).cmd, { seq });
    const json = parseJson(stored.data);
    const runId = json.ok ? (json.value as { runId?: unknown }).runId : undefined;
    // Dedupe spans the whole _CMD stream, every tenant's commands: the key may have been used by
    // another kind of command, or by another tenant (whose subject is not ours to show).
    const isStart =
      stored.subject === subjects.command(this.prefix, this.tenant, CommandName.RunStart);
    if (!isStart || typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
      throw new ValidationError('invalid idempotency key', [
        `idempotencyKey "${idempotencyKey}" was already used by another command; nothing was started. Retry with a key nobody else can guess (the default, start-<runId>, with a random runId)`,
      ]);
    }
    return runId;
  }

  private async ordered(
    subject: string,
    policy: Partial<OrderedConsumerOptions>,
    signal: AbortSignal | undefined,
    stream: 'evt' | 'ctl' = 'evt',
  ): Promise<ConsumerMessages | undefined> {
    if (signal?.aborted) return undefined;
    try {
      const consumer = await this.js.consumers.get(streamNames(this.prefix)[stream], {
        filterSubjects: subject,
        ...policy,
      });
      return this.track(await consumer.consume(), signal);
    } catch (err) {
      throw this.explain(err, subject);
    }
  }

  private async durable(
    name: string,
    filter: string,
    options: SubscribeOptions<EventType>,
  ): Promise<ConsumerMessages | undefined> {
    if (!DURABLE_PATTERN.test(name)) {
      throw new ValidationError('invalid subscription', [
        `durable "${name}" must be 1-64 letters, digits, "_" or "-"`,
      ]);
    }
    if (options.batch !== undefined && !(Number.isInteger(options.batch) && options.batch > 0)) {
      throw new ValidationError('invalid subscription', ['batch must be a positive integer']);
    }
    if (options.signal?.aborted) return undefined;
    try {
      await ensureDurable(await this.jsm(), this.prefix, {
        stream: 'evt',
        durable: name,
        filterSubject: filter,
        ackWaitMs: options.ackWaitMs,
        maxAckPending: options.maxAckPending,
      });
      const consumer = await this.js.consumers.get(streamNames(this.prefix).evt, name);
      return this.track(
        await consumer.consume({ max_messages: options.batch ?? 100 }),
        options.signal,
      );
    } catch (err) {
      throw this.explain(err, filter);
    }
  }

  /** Open iterations, each with what ends it: `close()` and the caller's signal stop them. */
  private track(messages: ConsumerMessages, signal: AbortSignal | undefined): ConsumerMessages {
    const stop = () => messages.stop();
    signal?.addEventListener('abort', stop, { once: true });
    this.open.set(messages, () => signal?.removeEventListener('abort', stop));
    return messages;
  }

  /**
   * `stop()`, not `await close()`: a pull consumer's close only resolves once its iterator runs
   * again, which never happens after the caller broke out of the loop or the loop threw.
   * `stop()` unsubscribes at once either way.
   */
  private release(messages: ConsumerMessages): void {
    this.open.get(messages)?.();
    this.open.delete(messages);
    messages.stop();
  }

  /** An event nobody can read goes where every durable's bad messages go, and is never redelivered. */
  private async deadLetter(durable: string, m: JsMsg, err: unknown): Promise<void> {
    await this.js
      .publish(
        subjects.deadLetter(this.prefix, durable),
        encodeJson({
          durable,
          subject: m.subject,
          streamSeq: m.seq,
          deliveries: m.info.deliveryCount,
          reason: (err as Error).message,
          body: Buffer.from(m.data).toString('utf8').slice(0, 4096),
        }),
      )
      .catch(() => undefined);
    m.term();
  }

  private async request<T>(
    service: string,
    op: string,
    body: unknown,
    timeoutMs: number,
  ): Promise<T> {
    try {
      return await requestService<T>(this.nc, this.prefix, service, op, body, timeoutMs);
    } catch (err) {
      const subject = subjects.service(this.prefix, service, op);
      if (isNoResponders(err)) {
        throw new ServiceUnavailableError(
          `${service} is not running on prefix "${this.prefix}" (nobody answers ${subject})`,
          service,
          { cause: err },
        );
      }
      if (isRequestTimeout(err)) {
        throw new ServiceUnavailableError(
          `${service} did not answer ${op} within ${timeoutMs} ms`,
          service,
          { cause: err },
        );
      }
      const code = isErrorNamed(err, 'RemoteError') ? (err as RemoteError).code : undefined;
      // The service's own check of the input is the caller's problem, as the local one is.
      if (code === 'validation_failed')
        throw new ValidationError(`${service} refused ${op}`, [(err as Error).message], {
          cause: err,
        });
      if (code === 'not_found') throw new NotFoundError((err as Error).message, { cause: err });
      throw err;
    }
  }

  private explain(err: unknown, subject: string): unknown {
    if (isNoResponders(err) || isNotFound(err)) {
      return new StreamUnavailableError(
        `no Tether stream takes ${subject}: are the services running with prefix "${this.prefix}"?`,
        this.prefix,
        { cause: err },
      );
    }
    return err;
  }
}

/**
 * Where an ordered consumer starts. "From the start" leaves `deliver_policy` unset: nats.js then
 * starts at sequence 1, whereas an explicit `DeliverPolicy.All` is sent together with
 * `opt_start_seq`, which the server refuses, and the consumer retries forever without a message.
 */
function fromStartPolicy(fromStart: boolean | undefined): Partial<OrderedConsumerOptions> {
  return fromStart === false ? { deliver_policy: DeliverPolicy.New } : {};
}

/** Decodes a log message, its offloaded data fetched first; a bad event is an InvalidEventError. */
async function decode(m: Message, payloads: PayloadStore): Promise<TetherEvent> {
  try {
    return await payloads.decode(m.data);
  } catch (err) {
    if (!isErrorNamed(err, 'ValidationError')) throw err;
    throw new InvalidEventError(
      m.seq === undefined
        ? `invalid event on ${m.subject}`
        : `invalid event at ${m.subject}#${m.seq}`,
      (err as ValidationError).problems,
      m.subject,
      m.seq,
      { cause: err },
    );
  }
}

function delivery<T extends EventType>(
  m: JsMsg,
  event: TetherEvent<T>,
  acks: boolean,
): Delivery<T> {
  return {
    event,
    seq: m.seq,
    subject: m.subject,
    redelivered: m.redelivered,
    ack: () => acks && m.ack(),
    nak: (delayMs) => acks && m.nak(delayMs),
    term: () => acks && m.term(),
    working: () => acks && m.working(),
  };
}

function checkRunId(runId: string): void {
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
    throw new ValidationError('invalid run id', [
      `"${runId}" is not "run_" followed by a subject-safe id`,
    ]);
  }
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new ValidationError('invalid idempotency key', [
      'idempotencyKey must be 1-256 printable characters without spaces',
    ]);
  }
}

function asSeq(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValidationError('unexpected trace-store reply', [`${what} is not a sequence number`]);
  }
  return value;
}
