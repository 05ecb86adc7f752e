import type { ExecuteTool, TetherEvent } from '@tether/contracts';

type SpanAttributes = Record<string, string | number | boolean>;
type CallEnd = Extract<TetherEvent, { type: 'tool.completed' | 'tool.failed' | 'tool.denied' }>;

const endsCall = (e: TetherEvent): e is CallEnd =>
  e.type === 'tool.completed' || e.type === 'tool.failed' || e.type === 'tool.denied';

/** The name of a tool call's span (GenAI semantic conventions: `execute_tool {tool name}`). */
export function toolSpanName(req: Pick<ExecuteTool, 'tool'>): string {
  return `execute_tool ${req.tool}`;
}

/** What is known of a call before it is checked and run: GenAI attributes plus the run's own. */
export function toolCallAttributes(
  req: Pick<ExecuteTool, 'tool' | 'callId' | 'tier' | 'runId' | 'tenantId' | 'mode'>,
): SpanAttributes {
  return {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': req.tool,
    'gen_ai.tool.call.id': req.callId,
    'tether.tool.tier': req.tier,
    'tether.run.id': req.runId,
    'tether.tenant.id': req.tenantId,
    'tether.run.mode': req.mode,
  };
}

export interface ToolSpanOutcome {
  /** `tether.tool.outcome`, and `tether.tool.reason` for a denial or a failure. */
  attributes: SpanAttributes;
  /** Set when the call failed: the span's `error.type` (the reason code) and status message. */
  error?: { type: string; message: string };
}

/**
 * How the call ended, from the events the executor answers with: `completed`, `failed`,
 * `denied` (by the gate: a refusal, not an error), or `none` when the run ended before the
 * call did. A denial is what the policy is for, so only a failure marks the span as an error.
 */
export function toolSpanOutcome(events: readonly TetherEvent[], callId: string): ToolSpanOutcome {
  let last: CallEnd | undefined;
  for (const e of events) if (endsCall(e) && e.data.callId === callId) last = e;
  if (!last) return { attributes: { 'tether.tool.outcome': 'none' } };
  if (last.type === 'tool.completed') {
    return {
      attributes: {
        'tether.tool.outcome': 'completed',
        'tether.tool.dry_run': last.data.dryRun,
        ...(last.data.guardrail && { 'tether.tool.guardrail': last.data.guardrail.action }),
      },
    };
  }
  if (last.type === 'tool.denied') {
    return {
      attributes: { 'tether.tool.outcome': 'denied', 'tether.tool.reason': last.data.reason },
    };
  }
  return {
    attributes: { 'tether.tool.outcome': 'failed', 'tether.tool.reason': last.data.reason },
    error: { type: last.data.reason, message: last.data.error },
  };
}
