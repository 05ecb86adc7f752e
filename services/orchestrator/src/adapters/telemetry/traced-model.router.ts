import { SpanKind, context, type Tracer } from '@opentelemetry/api';
import {
  chatErrorType,
  chatRequestAttributes,
  chatResponseAttributes,
  chatSpanName,
  isModelError,
  type ModelRouter,
} from '@tether/models';
import { inSpan } from '@tether/service-kit';

/**
 * Every model call attempt as a `chat <model>` client span in the run's trace (the active
 * context of the handler that makes it), with the GenAI attributes of the request and answer.
 */
export function tracedModels(router: ModelRouter, tracer: Tracer): ModelRouter {
  return {
    providers: () => router.providers(),
    complete: (request, signal) =>
      inSpan(
        tracer,
        chatSpanName(request),
        { kind: SpanKind.CLIENT },
        context.active(),
        async (span) => {
          // Tracing off, the span is the API's no-op one: describing it would be wasted work.
          const recording = span.isRecording();
          if (recording) span.setAttributes(chatRequestAttributes(request));
          const reply = await router.complete(request, signal);
          if (recording) span.setAttributes(chatResponseAttributes(reply));
          return reply;
        },
        (err) => (isModelError(err) ? chatErrorType(err) : 'Error'),
      ),
  };
}
