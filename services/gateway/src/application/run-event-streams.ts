import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { JetStreamManager, NatsConnection } from 'nats';
import { Header, isTerminalType, streamNames, subjects } from '@tether/contracts';
import { isNotFound } from '@tether/event-store';
import { TetherClient } from '@tether/sdk';
import type { Logger } from 'pino';
import { InjectConfig, InjectLogger, InjectNats } from '@tether/service-kit';
import type { GatewayConfig } from '../config';
import { sseFrame } from '../domain/run-access';

/** Where a stream's frames go: an HTTP response, in the adapter. */
export interface EventSink {
  /** Resolves once the frame is handed to the socket (waits while the client reads slowly). */
  send(frame: string): Promise<void>;
  end(): void;
  /** Aborted when the client goes away. */
  readonly closed: AbortSignal;
}

/**
 * Runs' events as Server-Sent Events, straight from the `_EVT` stream: each frame's `id` is the
 * event's stream sequence, so a client that reconnects with `Last-Event-ID` resumes after the
 * last event it got, with no gap and no repeat. The stream ends after the run's terminal event.
 * On shutdown every open stream is ended cleanly, and clients reconnect to another instance.
 */
@Injectable()
export class RunEventStreams implements BeforeApplicationShutdown {
  private readonly open = new Map<AbortController, Promise<void>>();
  private jsm?: Promise<JetStreamManager>;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: GatewayConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** Streams the run's events after `afterSeq` (all of them without it) until its end, the client's leaving, or shutdown. */
  pipe(
    tenant: string,
    runId: string,
    afterSeq: number | undefined,
    sink: EventSink,
  ): Promise<void> {
    const stop = new AbortController();
    const leave = () => stop.abort();
    sink.closed.addEventListener('abort', leave, { once: true });
    const done = this.relay(tenant, runId, afterSeq, sink, stop.signal)
      .catch((err: unknown) => {
        // Headers are gone: the failure can only be told in the stream, then the stream ends.
        this.logger.error({ err, tenant, runId }, 'event stream failed');
        return sink.send(
          `event: tether.error\ndata: ${JSON.stringify({ detail: 'the event stream failed; reconnect to resume' })}\n\n`,
        );
      })
      .finally(() => {
        sink.closed.removeEventListener('abort', leave);
        this.open.delete(stop);
        sink.end();
      });
    this.open.set(stop, done);
    return done;
  }

  /**
   * Whether the run has ended and the client already holds its last event. Such a reconnect is
   * answered 204, which tells an EventSource to stop reconnecting.
   */
  async deliveredAll(tenant: string, runId: string, afterSeq: number): Promise<boolean> {
    // Made once: each call to jetstreamManager() asks the server for account info.
    this.jsm ??= this.nc.jetstreamManager().catch((err: unknown) => {
      this.jsm = undefined;
      throw err;
    });
    const jsm = await this.jsm;
    try {
      const last = await jsm.streams.getMessage(streamNames(this.config.prefix).evt, {
        last_by_subj: subjects.run(this.config.prefix, tenant, runId),
      });
      return last.seq <= afterSeq && isTerminalType(last.header?.get(Header.Type) ?? '');
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    const streams = [...this.open];
    for (const [stop] of streams) stop.abort();
    await Promise.allSettled(streams.map(([, done]) => done));
  }

  private async relay(
    tenant: string,
    runId: string,
    afterSeq: number | undefined,
    sink: EventSink,
    signal: AbortSignal,
  ): Promise<void> {
    const client = new TetherClient(this.nc, { prefix: this.config.prefix, tenant });
    // A comment line now and then keeps proxies from closing a quiet stream (a run waiting for a human).
    const heartbeat = setInterval(
      () => void sink.send(': keep-alive\n\n'),
      this.config.api.sseHeartbeatMs,
    );
    try {
      // The client's reconnection delay, in ms, should the connection drop.
      await sink.send('retry: 1000\n\n');
      for await (const { seq, event } of client.followLog(runId, {
        signal,
        ...(afterSeq !== undefined && { afterSeq }),
      })) {
        await sink.send(sseFrame(seq, event.type, JSON.stringify(event)));
      }
    } finally {
      clearInterval(heartbeat);
    }
  }
}
