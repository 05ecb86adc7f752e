import type { ModelError } from './model.error';
import type { ModelReply, ModelRequest } from './model.port';

/** Span attribute values as OpenTelemetry takes them. */
export type SpanAttributes = Record<string, string | number | boolean | string[]>;

/** The name of a model call's span (GenAI semantic conventions: `{operation} {request model}`). */
export function chatSpanName(request: ModelRequest): string {
  return `chat ${request.model.id}`;
}

/**
 * What is known of a model call before it is made, as GenAI semantic-convention attributes
 * plus the run's own. The provider is reported both as `gen_ai.system` and as its newer name
 * `gen_ai.provider.name`, so backends on either version of the conventions group calls by it.
 */
export function chatRequestAttributes(request: ModelRequest): SpanAttributes {
  const { model } = request;
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': model.provider,
    'gen_ai.provider.name': model.provider,
    'gen_ai.request.model': model.id,
    ...(model.maxOutputTokens !== undefined && {
      'gen_ai.request.max_tokens': model.maxOutputTokens,
    }),
    'tether.run.id': request.runId,
    ...(request.tenantId !== undefined && { 'tether.tenant.id': request.tenantId }),
    'tether.step': request.step,
    'tether.attempt': request.attempt,
  };
}

/** What the answer adds: the exact model that answered, why it stopped, the tokens it counted. */
export function chatResponseAttributes(reply: ModelReply): SpanAttributes {
  return {
    'gen_ai.response.model': reply.model,
    'gen_ai.response.finish_reasons': [reply.finishReason],
    'gen_ai.usage.input_tokens': reply.usage.inputTokens,
    'gen_ai.usage.output_tokens': reply.usage.outputTokens,
  };
}

/**
 * `error.type` of a failed call: a class a dashboard can group by, never the message. The HTTP
 * status when the provider answered, else why no answer came.
 */
export function chatErrorType(err: Pick<ModelError, 'status' | 'circuitOpen' | 'aborted'>): string {
  if (err.circuitOpen) return 'circuit_open';
  if (err.aborted) return 'aborted';
  if (err.status !== undefined) return String(err.status);
  return 'model_error';
}
