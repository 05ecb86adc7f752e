import {
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
} from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { contextOfTraceparent } from '@tether/event-store';
import { inRunTrace, inSpan, startTelemetry, tracingConfig, type BaseEnv } from '../src';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const RUN_TRACE = '0af7651916cd43dd8448eb211c80319c';
const traceparent = (traceId: string, spanId = '00f067aa0ba902b7') => `00-${traceId}-${spanId}-01`;

describe('tracingConfig', () => {
  const enabled = (env: BaseEnv) => tracingConfig(env, 'budget').enabled;
  const ENDPOINT = 'http://collector:4318';

  it('is off unless an exporter is asked for, so nothing exports to nowhere', () => {
    expect(tracingConfig({}, 'orchestrator')).toEqual({
      enabled: false,
      serviceName: 'tether-orchestrator',
    });
  });

  it('is on with an OTLP endpoint, for all signals or for traces alone', () => {
    expect(enabled({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT })).toBe(true);
    expect(enabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ENDPOINT}/v1/traces` })).toBe(true);
  });

  it('follows OTEL_TRACES_EXPORTER when it is set: any exporter turns it on, none turns it off', () => {
    expect(enabled({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(enabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT })).toBe(
      false,
    );
  });

  it('is off with OTEL_SDK_DISABLED=true, whatever else is set', () => {
    expect(enabled({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT })).toBe(
      false,
    );
  });

  it('takes OTEL_SERVICE_NAME over the default name', () => {
    expect(tracingConfig({ OTEL_SERVICE_NAME: 'acme-orch' }, 'orchestrator').serviceName).toBe(
      'acme-orch',
    );
  });
});

describe('startTelemetry', () => {
  const config = (service: string, enabled = true) => ({
    service,
    version: 'test',
    tracing: { enabled, serviceName: `tether-${service}` },
  });
  // Never ended, so never exported (nothing listens at this endpoint).
  const recording = () => trace.getTracer('probe').startSpan('probe').isRecording();
  beforeAll(() => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
    // The host and process detectors finish after the test would (reading the machine id).
    process.env.OTEL_NODE_RESOURCE_DETECTORS = 'none';
  });
  afterAll(() => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_NODE_RESOURCE_DETECTORS;
  });

  it('leaves the no-op API in place while tracing is off', async () => {
    const sut = startTelemetry(config('budget', false));
    expect(recording()).toBe(false);
    await sut.shutdown();
  });

  it('starts the SDK once per process and stops it with the last service', async () => {
    const first = startTelemetry(config('orchestrator'));
    const second = startTelemetry(config('tool-executor'));
    expect(recording()).toBe(true);

    await first.shutdown();
    await first.shutdown();
    expect(recording()).toBe(true);
    await second.shutdown();
    expect(recording()).toBe(false);

    // A stack started again in this process registers a fresh SDK.
    const again = startTelemetry(config('orchestrator'));
    expect(recording()).toBe(true);
    await again.shutdown();
  });
});

describe('inRunTrace', () => {
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new node.NodeTracerProvider({
    spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('test');

  beforeAll(() => provider.register());
  afterEach(() => exporter.reset());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  /** Runs `fn` as a handler would: in the context its message brought. */
  const handling = <T>(incoming: Context | undefined, fn: () => Promise<T>) =>
    context.with(incoming ?? context.active(), fn);
  const only = () => {
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    return spans[0];
  };

  it("starts a new trace for a run's first handling when the command brought none", async () => {
    await handling(undefined, () =>
      inRunTrace(tracer, 'run.start', { tenantId: 'acme', runId: 'run_1' }, async () => undefined),
    );
    const span = only();
    expect(span.parentSpanId).toBeUndefined();
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.attributes).toMatchObject({ 'tether.run.id': 'run_1', 'tether.tenant.id': 'acme' });
  });

  it("continues the client's trace when the command carried one", async () => {
    await handling(contextOfTraceparent(traceparent(CLIENT_TRACE)), () =>
      inRunTrace(tracer, 'run.start', { tenantId: 'acme', runId: 'run_1' }, async () => undefined),
    );
    const span = only();
    expect(span.spanContext().traceId).toBe(CLIENT_TRACE);
    expect(span.parentSpanId).toBe('00f067aa0ba902b7');
    expect(span.links).toEqual([]);
  });

  it("joins the run's recorded trace on a later handling and links the message's own", async () => {
    const recorded = traceparent(RUN_TRACE, 'b7ad6b7169203331');
    await handling(contextOfTraceparent(traceparent(CLIENT_TRACE)), () =>
      inRunTrace(
        tracer,
        'run.resume',
        { tenantId: 'acme', runId: 'run_1', traceparent: recorded },
        async () => undefined,
      ),
    );
    const span = only();
    expect(span.spanContext().traceId).toBe(RUN_TRACE);
    expect(span.parentSpanId).toBe('b7ad6b7169203331');
    expect(span.links.map((l) => l.context.traceId)).toEqual([CLIENT_TRACE]);
  });

  it('adds no link when the message already came in the run’s trace', async () => {
    await handling(contextOfTraceparent(traceparent(RUN_TRACE, 'aaaaaaaaaaaaaaaa')), () =>
      inRunTrace(
        tracer,
        'run.resume',
        { tenantId: 'acme', runId: 'run_1', traceparent: traceparent(RUN_TRACE) },
        async () => undefined,
      ),
    );
    expect(only().links).toEqual([]);
  });

  it('makes spans started inside children of the run span', async () => {
    await inRunTrace(tracer, 'run.start', { tenantId: 'acme', runId: 'run_1' }, () =>
      inSpan(tracer, 'chat m', {}, context.active(), async () => undefined),
    );
    const [chat, run] = exporter.getFinishedSpans();
    expect(chat.parentSpanId).toBe(run.spanContext().spanId);
    expect(chat.spanContext().traceId).toBe(run.spanContext().traceId);
  });

  it('records a failure on the span, with its class as error.type, and rethrows it', async () => {
    const boom = Object.assign(new Error('no budget service'), { name: 'BudgetUnavailable' });
    await expect(
      inRunTrace(tracer, 'run.start', { tenantId: 'acme', runId: 'run_1' }, () =>
        Promise.reject(boom),
      ),
    ).rejects.toBe(boom);
    const span = only();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no budget service' });
    expect(span.attributes['error.type']).toBe('BudgetUnavailable');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });
});
