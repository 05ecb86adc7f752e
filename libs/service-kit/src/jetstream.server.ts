import { Logger } from '@nestjs/common';
import {
  BaseRpcContext,
  Server,
  type CustomTransportStrategy,
  type MessageHandler,
} from '@nestjs/microservices';
import { context } from '@opentelemetry/api';
import { lastValueFrom, isObservable } from 'rxjs';
import type { JsMsg, Msg, NatsConnection, Subscription } from 'nats';
import { subjects } from '@tether/contracts';
import {
  consumeDurable,
  ensureDurable,
  type DurableSpec,
  type RunningConsumer,
  encodeJson,
  extractTraceContext,
} from '@tether/event-store';

/** A durable consumer whose messages are routed to `@EventPattern(pattern)` handlers. */
export interface ConsumerBinding {
  spec: DurableSpec;
  /** The handler pattern of a message (a command name, or the `Tether-Type` header). */
  patternOf: (msg: JsMsg) => string;
  concurrency: number;
}

export interface JetStreamServerOptions {
  nc: NatsConnection;
  prefix: string;
  /** The service name: request/reply handlers listen on `<P>.svc.<service>.<pattern>`. */
  service: string;
  consumers: ConsumerBinding[];
}

export class JetStreamContext extends BaseRpcContext<[JsMsg | Msg]> {
  get message(): JsMsg | Msg {
    return this.args[0];
  }
}

/**
 * Nest transport over JetStream: `@EventPattern` handlers are fed by durable pull consumers
 * (ack on success, nak/term on failure), `@MessagePattern` handlers answer core NATS requests
 * in a queue group shared by all instances. Handlers receive the raw message and parse it.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(JetStreamServer.name);
  private running: RunningConsumer[] = [];
  private subscriptions: Subscription[] = [];
  /**
   * Handlers by pattern, looked up once: Nest's lookup first tries the pattern as JSON, and a
   * plain name such as `run.start` throws (with a stack trace) on every message.
   */
  private readonly handlers = new Map<string, MessageHandler>();

  constructor(private readonly options: JetStreamServerOptions) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  private async start(): Promise<void> {
    const { nc, prefix } = this.options;
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    for (const binding of this.options.consumers) {
      await ensureDurable(jsm, prefix, binding.spec);
      this.running.push(
        await consumeDurable(js, prefix, binding.spec, (msg) => this.dispatchEvent(binding, msg), {
          concurrency: binding.concurrency,
          onError: (err, msg, d) => {
            const line = `${binding.spec.durable} ${msg.subject}#${msg.seq}: ${d.action}: ${(err as Error)?.message ?? err}`;
            // A message held back on purpose (a timer not due yet) is routine, not a problem.
            if ((err as Error)?.name === 'RetryLaterError') this.logger.debug(line);
            else this.logger.warn(line);
          },
        }),
      );
    }
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler) continue;
      const subject = subjects.service(prefix, this.options.service, pattern);
      this.subscriptions.push(
        nc.subscribe(subject, {
          queue: this.options.service,
          callback: (err, msg) => (err ? this.logger.error(err) : void this.reply(handler, msg)),
        }),
      );
    }
  }

  private async dispatchEvent(binding: ConsumerBinding, msg: JsMsg): Promise<void> {
    const pattern = binding.patternOf(msg);
    let handler = this.handlers.get(pattern);
    if (!handler) {
      // Only patterns with a handler are kept: any subject a publisher makes up is not.
      handler = this.getHandlerByPattern(pattern) ?? undefined;
      if (handler) this.handlers.set(pattern, handler);
    }
    // A message nobody here handles is not an error: the consumer's filter is wider than its handlers.
    if (!handler) return;
    await this.invoke(handler, msg);
  }

  private async reply(handler: MessageHandler, msg: Msg): Promise<void> {
    try {
      const result = await this.invoke(handler, msg);
      msg.respond(encodeJson({ ok: true, result }));
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string };
      msg.respond(
        encodeJson({
          ok: false,
          error: { name: e?.name ?? 'Error', code: e?.code, message: e?.message ?? String(err) },
        }),
      );
    }
  }

  private async invoke(handler: MessageHandler, msg: JsMsg | Msg): Promise<unknown> {
    const ctx = extractTraceContext(msg.headers);
    return context.with(ctx, async () => {
      const out = await handler(msg, new JetStreamContext([msg]));
      return isObservable(out) ? lastValueFrom(out, { defaultValue: undefined }) : out;
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.running.map((r) => r.stop()));
    for (const s of this.subscriptions) s.unsubscribe();
    this.running = [];
    this.subscriptions = [];
  }

  on(): never {
    throw new Error('JetStreamServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.options.nc as T;
  }
}
