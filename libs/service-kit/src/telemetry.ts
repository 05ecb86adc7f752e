import {
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { contextOfTraceparent } from '@tether/event-store';
import type { BaseConfig } from './config';

export interface Telemetry {
  /** The service's tracer: the API's no-op one while tracing is off. */
  readonly tracer: Tracer;
  /** When the last service of the process closes: flushes the buffered spans and stops the SDK. */
  shutdown(): Promise<void>;
}

/**
 * The SDK belongs to the process (it registers the global tracer provider, context manager and
 * propagator), while tests start several services in one process: the first service to boot
 * starts it, with its own name, and the last one to close stops it.
 */
let shared: { sdk: NodeSDK; users: number } | undefined;

/**
 * Starts OpenTelemetry for a service, once per process, when its config asks for tracing
 * (`tracingConfig`). The exporter is the SDK's own choice from the standard variables
 * (`OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_*`, `OTEL_BSP_*`); spans are made by hand where
 * a run's work happens, so no instrumentation is loaded.
 */
export function startTelemetry(
  config: Pick<BaseConfig, 'service' | 'version' | 'tracing'>,
): Telemetry {
  const tracerOf = () => trace.getTracer(`@tether/${config.service}`, config.version);
  if (!config.tracing.enabled) {
    return { tracer: tracerOf(), shutdown: () => Promise.resolve() };
  }
  if (!shared) {
    const sdk = new NodeSDK({
      serviceName: config.tracing.serviceName,
      resource: new resources.Resource({ 'service.version': config.version }),
      instrumentations: [],
      // Logs go to stdout (pino) and metrics to /metrics: no OTLP exporter waits for either.
      logRecordProcessors: [],
    });
    sdk.start();
    shared = { sdk, users: 0 };
  }
  const mine = shared;
  mine.users++;
  let closed = false;
  return {
    tracer: tracerOf(),
    async shutdown() {
      if (closed) return;
      closed = true;
      if (--mine.users > 0) return;
      if (shared === mine) shared = undefined;
      await mine.sdk.shutdown();
      // The API keeps the stopped provider registered; a service started later in this process
      // (a test restarting its stack) registers a fresh one.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * Runs `work` in an active span that ends with it; a throw is recorded on the span (its
 * `error.type` from `errorType`, the error's name by default) and rethrown.
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  parent: Context,
  work: (span: Span) => Promise<T>,
  errorType: (err: unknown) => string = (err) => (err as Error)?.name ?? 'Error',
): Promise<T> {
  return tracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      failSpan(span, err, errorType(err));
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed: `error.type` is a low-cardinality class (a code, an HTTP status, a name). */
export function failSpan(span: Span, err: unknown, errorType: string): void {
  if (err instanceof Error) span.recordException(err);
  span.setAttribute('error.type', errorType);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: err instanceof Error ? err.message : String(err),
  });
}

/** What a handler knows of the run it works on, for its span. */
export interface RunTraceRef {
  tenantId: string;
  /** Undefined for a command that names no valid run. */
  runId?: string;
  /** The `traceparent` of the run's first event (see `EventStore.traceparentOf`), if it has one. */
  traceparent?: string;
}

/**
 * One trace per run. The run's first handling starts it, as a child of the context the command
 * brought (a client's traceparent) or as a new root, and its first event records that context.
 * Every later handling of the run — a redelivery, a resume after a human decided, a
 * cancellation, a deadline — is a child of that recorded context, whatever context its own
 * message brought; that one, from another trace, becomes a link.
 */
export function inRunTrace<T>(
  tracer: Tracer,
  name: string,
  run: RunTraceRef,
  work: (span: Span) => Promise<T>,
  attributes: Attributes = {},
): Promise<T> {
  const incoming = context.active();
  const recorded = contextOfTraceparent(run.traceparent);
  const from = trace.getSpanContext(incoming);
  const foreign =
    recorded && from && from.traceId !== trace.getSpanContext(recorded)?.traceId
      ? [{ context: from }]
      : [];
  const options: SpanOptions = {
    kind: SpanKind.CONSUMER,
    links: foreign,
    attributes: {
      'tether.tenant.id': run.tenantId,
      ...(run.runId !== undefined && { 'tether.run.id': run.runId }),
      ...attributes,
    },
  };
  return inSpan(tracer, name, options, recorded ?? incoming, work);
}
