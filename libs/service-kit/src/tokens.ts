import { Inject } from '@nestjs/common';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const LOGGER = Symbol('LOGGER');
/** The instance's own Prometheus registry (prom-client `Registry`), never the global one. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
/** The service's OpenTelemetry `Tracer` (a no-op one while tracing is off). */
export const TRACER = Symbol('TRACER');

export const InjectNats = () => Inject(NATS_CONNECTION);
export const InjectConfig = () => Inject(SERVICE_CONFIG);
export const InjectLogger = () => Inject(LOGGER);
export const InjectMetrics = () => Inject(METRICS_REGISTRY);
export const InjectTracer = () => Inject(TRACER);
