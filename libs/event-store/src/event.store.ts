import {
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type StoredMsg,
} from 'nats';
import {
  Header,
  isTerminalType,
  streamNames,
  subjects,
  type StoredEvent,
  type TetherEvent,
} from '@tether/contracts';
import { ConcurrencyError } from '@tether/errors';
import { assertEvent, eventHeaders } from './event.codec';
import { DEFAULT_OFFLOAD_BYTES, PayloadStore } from './payload.store';
import { publishAcked, type PubAck } from './acked.publish';
import { isNotFound } from './streams.provisioner';

/** An append's acknowledgement: the event's stream sequence, and whether it was there already. */
export type Appended = PubAck;

/**
 * The direct get API (the streams allow it) of nats.js 2.x: there but not part of its
 * `JetStreamManager` type.
 */
interface DirectGet {
  direct: {
    getMessage(stream: string, query: { seq: number; next_by_subj: string }): Promise<StoredMsg>;
  };
}

/**
 * An append sent and not yet (or just) acknowledged. The run's next event can be sent right
 * behind it, before its acknowledgement comes back (see `EventStore.send`).
 */
export interface InFlightAppend {
  /** Id of the event being appended. */
  readonly id: string;
  /** Its stream sequence once acknowledged; rejects as the append does. */
  readonly seq: Promise<number>;
  /** The sequence, once `seq` has resolved. */
  readonly known?: number;
}

/**
 * What an append expects of the run: its last stream sequence (0: no events yet), the append it
 * follows, or nothing (an event that may interleave with others).
 */
export type Expected = number | InFlightAppend | undefined;

export interface EventStoreOptions {
  /** Events larger than this (as JSON) keep their data in the payload bucket. */
  offloadBytes?: number;
}

const EXPECTED_LAST_MSG_ID = 'Nats-Expected-Last-Msg-Id';
const EXPECTED_LAST_SUBJECT_SEQUENCE = 'Nats-Expected-Last-Subject-Sequence';

/** The headers an event is stored with: its id, type, trace context and offloaded data. */
function storedHeaders(event: TetherEvent, dataRef: string | undefined) {
  const headers = eventHeaders(event);
  if (dataRef) headers.set(Header.DataRef, dataRef);
  return headers;
}

/** JetStream's "wrong last sequence" API error. */
const WRONG_LAST_SEQUENCE = 10071;
/** JetStream's "wrong last msg id" API error. */
const WRONG_LAST_MSG_ID = 10070;

/**
 * One run = one subject `<P>.evt.<tenant>.<runId>`. Appends carry the run's last known stream
 * sequence as `Nats-Expected-Last-Subject-Sequence`, so two writers never both extend one version.
 */
export class EventStore {
  private readonly stream: string;
  private jsmCache?: JetStreamManager;
  /** Where the data of events too large for a message goes; readers of the log resolve it here. */
  readonly payloads: PayloadStore;

  constructor(
    private readonly nc: NatsConnection,
    readonly prefix: string,
    private readonly js: JetStreamClient = nc.jetstream(),
    options: EventStoreOptions = {},
  ) {
    this.stream = streamNames(prefix).evt;
    this.payloads = new PayloadStore(js, prefix, options.offloadBytes ?? DEFAULT_OFFLOAD_BYTES);
  }

  subjectOf(tenantId: string, runId: string): string {
    return subjects.run(this.prefix, tenantId, runId);
  }

  /**
   * Appends one event. `expected` is the stream sequence of the run's last event (0 when the run
   * has none), or an append still in flight that this event must directly follow; `undefined`
   * appends unconditionally (only for events that may interleave).
   *
   * Following an append in flight saves waiting for its acknowledgement: the event is sent at
   * once with `Nats-Expected-Last-Msg-Id` = the predecessor's id, which JetStream accepts only if
   * the predecessor is the last message of the whole stream — so it was stored, and nothing came
   * between. When another run's event did come between, the event is sent again once the
   * predecessor's sequence is known, as an ordinary append expecting that sequence. A
   * predecessor that failed fails its follower with the same error.
   */
  async append(event: TetherEvent, expected: Expected): Promise<Appended> {
    if (typeof expected === 'object') {
      if (expected.known !== undefined) return this.append(event, expected.known);
      try {
        return await this.publish(event, { lastMsgID: expected.id });
      } catch (err) {
        if (!isWrongLastMsgId(err)) throw err;
        return this.append(event, await expected.seq);
      }
    }
    try {
      return await this.publish(
        event,
        expected === undefined ? undefined : { lastSubjectSequence: expected },
      );
    } catch (err) {
      if (isWrongLastSequence(err)) {
        throw new ConcurrencyError(`run ${event.runId} moved past sequence ${expected}`, expected, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * Starts an append and returns at once, so that the run's next event can be sent behind it
   * (`append(next, inFlight)`) without a round trip in between.
   */
  send(event: TetherEvent, expected: Expected): InFlightAppend {
    const inFlight: { id: string; seq: Promise<number>; known?: number } = {
      id: event.id,
      seq: this.append(event, expected).then((a) => (inFlight.known = a.seq)),
    };
    // Whoever awaits `seq` sees a failure; nothing else has to.
    inFlight.seq.catch(() => undefined);
    return inFlight;
  }

  /**
   * Appends events in order, each directly after the one before; returns the last sequence.
   * They are all sent at once, each following the previous one in flight (see `append`).
   */
  async appendAll(events: TetherEvent[], expectedSeq: number): Promise<number> {
    let expected: Expected = expectedSeq;
    const sent = events.map((event) => (expected = this.send(event, expected)));
    let seq = expectedSeq;
    for (const inFlight of sent) seq = await inFlight.seq;
    return seq;
  }

  private async publish(
    event: TetherEvent,
    expect: { lastSubjectSequence: number } | { lastMsgID: string } | undefined,
  ): Promise<Appended> {
    assertEvent(event);
    const { body, ref } = await this.payloads.encode(event);
    const headers = storedHeaders(event, ref?.sha256);
    if (expect && 'lastMsgID' in expect) headers.set(EXPECTED_LAST_MSG_ID, expect.lastMsgID);
    if (expect && 'lastSubjectSequence' in expect) {
      headers.set(EXPECTED_LAST_SUBJECT_SEQUENCE, String(expect.lastSubjectSequence));
    }
    const ack = await publishAcked(
      this.nc,
      this.subjectOf(event.tenantId, event.runId),
      body,
      headers,
    );
    // A duplicate too: its first appender may have died before announcing it.
    if (isTerminalType(event.type)) {
      const end = subjects.runEnd(this.prefix, event.tenantId, event.runId);
      // The stored message once more (core NATS, not stored), so that a client waiting for the
      // outcome receives one message instead of every event of the run; a waiter that misses
      // it finds the end in the log (see the SDK's `outcome`).
      this.nc.publish(end, body, { headers: storedHeaders(event, ref?.sha256) });
    }
    return ack;
  }

  /** Stream sequence of the run's last event, 0 when the run has none. */
  async lastSeq(tenantId: string, runId: string): Promise<number> {
    try {
      const msg = await (
        await this.jsm()
      ).streams.getMessage(this.stream, {
        last_by_subj: this.subjectOf(tenantId, runId),
      });
      return msg.seq;
    } catch (err) {
      if (isNoMessage(err)) return 0;
      throw err;
    }
  }

  /**
   * The `traceparent` of the run's first event: the trace every later handling of the run
   * continues. One direct get (the first message on the run's subject), nothing decoded.
   */
  async traceparentOf(tenantId: string, runId: string): Promise<string | undefined> {
    try {
      const { direct } = (await this.jsm()) as JetStreamManager & DirectGet;
      const msg = await direct.getMessage(this.stream, {
        seq: 1,
        next_by_subj: this.subjectOf(tenantId, runId),
      });
      return msg.header.get(Header.TraceParent) || undefined;
    } catch (err) {
      if (isNoMessage(err)) return undefined;
      throw err;
    }
  }

  /** Every event of one run after stream sequence `afterSeq` (all by default), in order. */
  async read(tenantId: string, runId: string, afterSeq = 0): Promise<StoredEvent[]> {
    const last = await this.lastSeq(tenantId, runId);
    if (last <= afterSeq) return [];
    const consumer = await this.js.consumers.get(this.stream, {
      filterSubjects: this.subjectOf(tenantId, runId),
      ...(afterSeq > 0 && { opt_start_seq: afterSeq + 1 }),
    });
    const events: StoredEvent[] = [];
    try {
      while (true) {
        const batch = await consumer.fetch({ max_messages: 256, expires: 2_000 });
        let got = 0;
        for await (const m of batch) {
          got++;
          events.push({ seq: m.seq, event: await this.payloads.decode(m.data) });
          if (m.seq >= last) return events;
        }
        if (got === 0) throw new Error(`read of run ${runId} stalled before sequence ${last}`);
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  private async jsm(): Promise<JetStreamManager> {
    this.jsmCache ??= await this.nc.jetstreamManager();
    return this.jsmCache;
  }
}

function isNoMessage(err: unknown): boolean {
  return isNotFound(err) || /no message found/i.test(String((err as Error)?.message));
}

/** JetStream refused a publish for this reason: by its API error code, or its text. */
function isApiError(err: unknown, code: number, text: RegExp): boolean {
  const e = err as { api_error?: { err_code?: number } };
  return e?.api_error?.err_code === code || text.test(String((err as Error)?.message));
}

function isWrongLastMsgId(err: unknown): boolean {
  return isApiError(err, WRONG_LAST_MSG_ID, /wrong last msg id/i);
}

export function isWrongLastSequence(err: unknown): boolean {
  return isApiError(err, WRONG_LAST_SEQUENCE, /wrong last sequence/i);
}
