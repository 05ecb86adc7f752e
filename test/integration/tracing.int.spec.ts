import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { ApprovalOp, CommandName, subjects, type TetherEvent } from '@tether/contracts';
import { encodeJson, requestService } from '@tether/event-store';
import { connectTestNats, eventually } from '../../libs/testing/src/infra.helper';
import {
  publishRunStart,
  startProcessStack,
  waitForRunEnds,
  type ProcessStack,
  type ServiceName,
} from '../process-stack';

/** A span as it reached the receiver, its attributes decoded, with its process's service name. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's numbering: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
}

type OtlpValue = {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
};
type OtlpAttributes = Array<{ key: string; value: OtlpValue }> | undefined;

function valueOf(v: OtlpValue): unknown {
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(valueOf);
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.stringValue ?? v.doubleValue ?? v.boolValue;
}
const attributesOf = (list: OtlpAttributes) =>
  Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** An OTLP/HTTP receiver of JSON trace exports, as a collector would be. */
function otlpReceiver(spans: ReceivedSpan[]): Server {
  return createServer(async (req, res) => {
    const raw = await readBody(req);
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.statusCode = 404;
      return res.end();
    }
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    const request = JSON.parse(body.toString('utf8'));
    for (const rs of request.resourceSpans ?? []) {
      const service = String(attributesOf(rs.resource?.attributes)['service.name']);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          spans.push({
            service,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            name: s.name,
            kind: s.kind,
            attributes: attributesOf(s.attributes),
            links: (s.links ?? []).map((l: { traceId: string; spanId: string }) => ({
              traceId: l.traceId,
              spanId: l.spanId,
            })),
          });
        }
      }
    }
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
}

/**
 * An OpenAI-compatible model server: looks an order up first, then (for an agent that has it)
 * asks for `noop`, a tier-2 tool a human must approve, then answers. It reports a more exact
 * model id than the one asked for, as such servers do.
 */
function modelServer(): Server {
  return createServer(async (req, res) => {
    const request = JSON.parse((await readBody(req)).toString('utf8'));
    const toolTurns = request.messages.filter((m: { role: string }) => m.role === 'tool').length;
    const offers = (name: string) =>
      (request.tools ?? []).some((t: { function: { name: string } }) => t.function.name === name);
    const call = (name: string, args: unknown) => ({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: `call_${toolTurns}`,
          type: 'function',
          function: { name, arguments: JSON.stringify(args) },
        },
      ],
    });
    const message =
      toolTurns === 0
        ? call('lookup_order', { orderId: '1042' })
        : toolTurns === 1 && offers('noop')
          ? call('noop', { note: 'close the ticket' })
          : { role: 'assistant', content: 'Order 1042 shipped on 3 Nov.' };
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        id: `chatcmpl-${toolTurns}`,
        object: 'chat.completion',
        created: 1763700000,
        model: 'qwen2.5-7b-instruct-q4',
        choices: [
          { index: 0, message, finish_reason: message.content === null ? 'tool_calls' : 'stop' },
        ],
        usage: { prompt_tokens: 120, completion_tokens: 20, total_tokens: 140 },
      }),
    );
  });
}

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};

function agent(name: string, modelPort: number, withApproval: boolean): string {
  return [
    `name: ${name}`,
    `model: { provider: openai-compatible, id: qwen2.5-7b-instruct, baseUrl: "http://127.0.0.1:${modelPort}/v1", maxOutputTokens: 256 }`,
    'instructions: You help customers with orders.',
    'tools:',
    '  - { name: lookup_order, tier: 0, input: { type: object, properties: { orderId: { type: string } }, required: [orderId] } }',
    ...(withApproval ? ['  - { name: noop, tier: 2 }'] : []),
    "permissions: [{ role: '*', tool: '*', resource: '*', effect: allow }]",
  ].join('\n');
}

const traceIdOf = (traceparent: string | undefined) => traceparent?.split('-')[1];
const spanIdOf = (traceparent: string | undefined) => traceparent?.split('-')[2];
/** Someone else's trace: the client that starts a run, the approver who decides. */
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const APPROVER_TRACE = '0af7651916cd43dd8448eb211c80319c';

/**
 * The compiled services (`npm test` builds them) as real processes: one OpenTelemetry SDK each,
 * as in production, so a span's service is its process's resource. They export OTLP/HTTP JSON
 * to a receiver started here; their batch processor waits a minute, so every span seen here was
 * flushed when its service stopped.
 */
describe('tracing: one trace per run across the services, with GenAI attributes', () => {
  const SERVICES: ServiceName[] = [
    'trace-store',
    'budget',
    'approval',
    'tool-executor',
    'orchestrator',
  ];
  const spans: ReceivedSpan[] = [];
  const receiver = otlpReceiver(spans);
  const model = modelServer();
  let stack: ProcessStack;
  let nc: NatsConnection;
  const logs: Record<string, TetherEvent[]> = {};

  beforeAll(async () => {
    const receiverPort = await listen(receiver);
    const modelPort = await listen(model);
    stack = await startProcessStack('tracing', {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    writeFileSync(
      join(stack.agentsDir, 'traced-agent.yaml'),
      agent('traced-agent', modelPort, true),
    );
    writeFileSync(
      join(stack.agentsDir, 'quick-agent.yaml'),
      agent('quick-agent', modelPort, false),
    );
    await Promise.all(SERVICES.map((s) => stack.start(s)));
    nc = await connectTestNats('tracing-client');

    // 1. A run started without trace context, parked for a human, approved in another trace.
    await publishRunStart(nc, stack.prefix, { runId: 'run_traced1', agent: 'traced-agent' });
    const approvalId = 'apr_traced1_call_2_0';
    await eventually(
      () =>
        requestService(
          nc,
          stack.prefix,
          'approval',
          ApprovalOp.Get,
          { tenantId: 'acme', approvalId },
          5_000,
        ),
      'the approval to be queued',
      30_000,
    );
    const h = natsHeaders();
    h.set('traceparent', `00-${APPROVER_TRACE}-b7ad6b7169203331-01`);
    await nc
      .jetstream()
      .publish(
        subjects.command(stack.prefix, 'acme', CommandName.ApprovalDecide),
        encodeJson({ approvalId, decision: 'approve', approverId: 'u_12', roles: ['approver'] }),
        { headers: h },
      );
    // 2. A run whose client sent its own trace context.
    await publishRunStart(
      nc,
      stack.prefix,
      { runId: 'run_traced2', agent: 'quick-agent' },
      `00-${CLIENT_TRACE}-00f067aa0ba902b7-01`,
    );
    const [first, second] = await waitForRunEnds(
      nc,
      stack.prefix,
      ['run_traced1', 'run_traced2'],
      30_000,
    );
    logs.run_traced1 = first.map((s) => s.event);
    logs.run_traced2 = second.map((s) => s.event);

    // A graceful stop flushes what each service buffered.
    for (const s of SERVICES) await stack.kill(s, 'SIGTERM');
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
    await new Promise((r) => receiver.close(r));
    await new Promise((r) => model.close(r));
  });

  const ofRun = (runId: string) => spans.filter((s) => s.attributes['tether.run.id'] === runId);
  const traceOf = (runId: string) => traceIdOf(logs[runId][0].traceparent);

  it("carries the run's trace id in every event, whichever service wrote it", () => {
    const log = logs.run_traced1;
    expect(log.map((e) => e.type)).toEqual(
      expect.arrayContaining(['approval.granted', 'tool.completed', 'run.completed']),
    );
    expect(new Set(log.map((e) => e.source.split('@')[0]))).toEqual(
      new Set(['orchestrator', 'tool-executor', 'approval']),
    );
    const traceId = traceOf('run_traced1');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(log.filter((e) => traceIdOf(e.traceparent) !== traceId)).toEqual([]);
  });

  it('puts every span of the run in that one trace, from the orchestrator and the tool-executor', () => {
    const traceId = traceOf('run_traced1');
    const run = ofRun('run_traced1');
    expect(run.length).toBeGreaterThan(0);
    expect(run.filter((s) => s.traceId !== traceId)).toEqual([]);
    expect(new Set(spans.filter((s) => s.traceId === traceId).map((s) => s.service))).toEqual(
      new Set(['tether-orchestrator', 'tether-tool-executor']),
    );
  });

  it('records each model call as a chat client span with the GenAI attributes', () => {
    const chats = ofRun('run_traced1').filter(
      (s) => s.attributes['gen_ai.operation.name'] === 'chat',
    );
    expect(chats.map((s) => s.attributes['tether.step']).sort()).toEqual([1, 2, 3]);
    for (const chat of chats) {
      expect(chat).toMatchObject({
        service: 'tether-orchestrator',
        name: 'chat qwen2.5-7b-instruct',
        kind: 3,
        attributes: {
          'gen_ai.system': 'openai-compatible',
          'gen_ai.request.model': 'qwen2.5-7b-instruct',
          'gen_ai.request.max_tokens': 256,
          'gen_ai.response.model': 'qwen2.5-7b-instruct-q4',
          'gen_ai.usage.input_tokens': 120,
          'gen_ai.usage.output_tokens': 20,
          'tether.tenant.id': 'acme',
        },
      });
    }
    const reasons = chats
      .sort((a, b) => Number(a.attributes['tether.step']) - Number(b.attributes['tether.step']))
      .map((s) => s.attributes['gen_ai.response.finish_reasons']);
    expect(reasons).toEqual([['tool_calls'], ['tool_calls'], ['stop']]);
  });

  it("records each tool call as an execute_tool span under the orchestrator's, with the log's call id", () => {
    const run = ofRun('run_traced1');
    const requested = logs.run_traced1.filter((e) => e.type === 'tool.requested');
    expect(requested).toHaveLength(2);
    const orchestratorSpans = new Set(
      run.filter((s) => s.service === 'tether-orchestrator').map((s) => s.spanId),
    );
    for (const e of requested) {
      const { callId, tool } = e.data as { callId: string; tool: string };
      const spansOfCall = run.filter((s) => s.attributes['gen_ai.tool.call.id'] === callId);
      expect(spansOfCall).toHaveLength(1);
      expect(spansOfCall[0]).toMatchObject({
        service: 'tether-tool-executor',
        name: `execute_tool ${tool}`,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': tool,
          'tether.tool.outcome': 'completed',
        },
      });
      expect(orchestratorSpans.has(spansOfCall[0].parentSpanId!)).toBe(true);
    }
  });

  it('starts the trace at the run when the client sent none, and continues it after the approval', () => {
    const started = logs.run_traced1[0];
    expect(started.type).toBe('run.started');
    const [start] = ofRun('run_traced1').filter((s) => s.name === 'run.start');
    expect(start).toMatchObject({ parentSpanId: undefined, spanId: spanIdOf(started.traceparent) });
    const [resume] = ofRun('run_traced1').filter((s) => s.name === 'run.resume');
    expect(resume).toMatchObject({ kind: 5, parentSpanId: start.spanId });
    // The approver's own trace is linked, not joined.
    expect(resume.links.map((l) => l.traceId)).toEqual([APPROVER_TRACE]);
    expect(spans.filter((s) => s.traceId === APPROVER_TRACE)).toEqual([]);
  });

  it("continues the client's trace when the run was started with one", () => {
    expect(traceOf('run_traced2')).toBe(CLIENT_TRACE);
    expect(logs.run_traced2.filter((e) => traceIdOf(e.traceparent) !== CLIENT_TRACE)).toEqual([]);
    const run = ofRun('run_traced2');
    expect(run.filter((s) => s.traceId !== CLIENT_TRACE)).toEqual([]);
    expect(run.find((s) => s.name === 'run.start')?.parentSpanId).toBe('00f067aa0ba902b7');
    expect(run.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat')).toHaveLength(2);
    expect(
      run.filter((s) => s.attributes['gen_ai.operation.name'] === 'execute_tool'),
    ).toHaveLength(1);
  });
});
