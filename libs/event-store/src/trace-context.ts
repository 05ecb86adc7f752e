import {
  ROOT_CONTEXT,
  context,
  defaultTextMapGetter,
  propagation,
  trace,
  type Context,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { MsgHdrs } from 'nats';

/**
 * W3C trace context in NATS headers. Uses the W3C propagator directly (not the global one), so
 * trace ids travel between services even before an OpenTelemetry SDK is registered.
 */
const w3c = new W3CTraceContextPropagator();

const setter = {
  set(carrier: MsgHdrs, key: string, value: string) {
    carrier.set(key, value);
  },
};
const getter = {
  get(carrier: MsgHdrs, key: string) {
    return carrier.get(key) || undefined;
  },
  keys(carrier: MsgHdrs) {
    return carrier.keys();
  },
};

export function injectTraceContext(headers: MsgHdrs, ctx: Context = context.active()): void {
  w3c.inject(ctx, headers, setter);
  // Also let a registered SDK add its own fields (baggage, vendor state).
  propagation.inject(ctx, headers, setter);
}

export function extractTraceContext(
  headers: MsgHdrs | undefined,
  ctx: Context = context.active(),
): Context {
  if (!headers) return ctx;
  return w3c.extract(ctx, headers, getter);
}

/** The active `traceparent`, for the event envelope. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const span = trace.getSpanContext(ctx);
  if (!span || !trace.isSpanContextValid(span)) return undefined;
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

/**
 * The context a recorded `traceparent` (an event's, a run's first) names, as a remote parent;
 * undefined when there is none or it is malformed.
 */
export function contextOfTraceparent(traceparent: string | undefined): Context | undefined {
  if (!traceparent) return undefined;
  const ctx = w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
  return trace.getSpanContext(ctx) ? ctx : undefined;
}
