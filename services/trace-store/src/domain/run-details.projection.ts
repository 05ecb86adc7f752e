import type { TetherEvent } from '@tether/contracts';
import type { Row, TableSpec } from './mergeable-row';

/**
 * The detail tables behind a run's timeline: its steps (model turns), each model call attempt,
 * each tool call, each approval and each guardrail trigger. Each event contributes a partial row
 * (`detailRowsOf`); the rules of `mergeable-row` combine them, so the tables do not depend on
 * the order events are projected in. Values are as the log holds them: arguments, results and
 * errors were redacted before they were appended.
 */

const key = { type: 'text', merge: 'key' } as const;
const runKey = { tenant_id: key, run_id: key } as const;

export const STEPS: TableSpec = {
  table: 'trace_steps',
  columns: {
    ...runKey,
    step: { type: 'int', merge: 'key' },
    model: { type: 'text', merge: 'set' },
    attempts: { type: 'int', merge: 'max' },
    failures: { type: 'int', merge: 'sum' },
    started_at: { type: 'timestamptz', merge: 'min' },
    ended_at: { type: 'timestamptz', merge: 'set' },
    finish_reason: { type: 'text', merge: 'set' },
    tool_calls: { type: 'int', merge: 'set' },
    input_tokens: { type: 'bigint', merge: 'set' },
    output_tokens: { type: 'bigint', merge: 'set' },
    cost_usd: { type: 'numeric', merge: 'set' },
    latency_ms: { type: 'int', merge: 'set' },
    text: { type: 'text', merge: 'set' },
  },
};

const byStatus = { latest: 'status_seq' } as const;

export const MODEL_CALLS: TableSpec = {
  table: 'trace_model_calls',
  columns: {
    ...runKey,
    step: { type: 'int', merge: 'key' },
    // 0 for an answer in a log written before answers named their attempt.
    attempt: { type: 'int', merge: 'key' },
    provider: { type: 'text', merge: 'set' },
    requested_model: { type: 'text', merge: 'set' },
    model: { type: 'text', merge: 'set' },
    status: { type: 'text', merge: byStatus },
    status_seq: { type: 'bigint', merge: 'max' },
    requested_at: { type: 'timestamptz', merge: 'set' },
    ended_at: { type: 'timestamptz', merge: 'max' },
    input_tokens: { type: 'bigint', merge: 'set' },
    output_tokens: { type: 'bigint', merge: 'set' },
    cached_input_tokens: { type: 'bigint', merge: 'set' },
    reasoning_tokens: { type: 'bigint', merge: 'set' },
    cost_usd: { type: 'numeric', merge: 'set' },
    latency_ms: { type: 'int', merge: 'set' },
    finish_reason: { type: 'text', merge: 'set' },
    error: { type: 'text', merge: 'set' },
    retryable: { type: 'boolean', merge: 'set' },
  },
};

export const TOOL_CALLS: TableSpec = {
  table: 'trace_tool_calls',
  columns: {
    ...runKey,
    call_id: key,
    tool: { type: 'text', merge: 'set' },
    tier: { type: 'int', merge: 'set' },
    step: { type: 'int', merge: 'set' },
    args: { type: 'jsonb', merge: 'set' },
    permission: { type: 'text', merge: 'set' },
    rule: { type: 'text', merge: 'set' },
    status: { type: 'text', merge: byStatus },
    status_seq: { type: 'bigint', merge: 'max' },
    reason: { type: 'text', merge: byStatus },
    error: { type: 'text', merge: byStatus },
    denied_by: { type: 'text', merge: 'set' },
    requested_at: { type: 'timestamptz', merge: 'set' },
    started_at: { type: 'timestamptz', merge: 'min' },
    ended_at: { type: 'timestamptz', merge: 'max' },
    attempts: { type: 'int', merge: 'max' },
    dry_run: { type: 'boolean', merge: 'set' },
    result: { type: 'jsonb', merge: 'set' },
    latency_ms: { type: 'int', merge: 'max' },
    cost_usd: { type: 'numeric', merge: 'set' },
    guardrail: { type: 'text', merge: 'set' },
  },
};

export const APPROVALS: TableSpec = {
  table: 'trace_approvals',
  columns: {
    ...runKey,
    approval_id: key,
    call_id: { type: 'text', merge: 'set' },
    tool: { type: 'text', merge: 'set' },
    tier: { type: 'int', merge: 'set' },
    requested_by: { type: 'text', merge: 'set' },
    quorum: { type: 'int', merge: 'set' },
    risk: { type: 'text', merge: 'set' },
    requested_at: { type: 'timestamptz', merge: 'set' },
    expires_at: { type: 'timestamptz', merge: 'set' },
    status: { type: 'text', merge: byStatus },
    status_seq: { type: 'bigint', merge: 'max' },
    approver_id: { type: 'text', merge: byStatus },
    reason: { type: 'text', merge: byStatus },
    decided_at: { type: 'timestamptz', merge: byStatus },
    edited: { type: 'boolean', merge: 'set' },
  },
};

export const GUARDRAIL_TRIGGERS: TableSpec = {
  table: 'trace_guardrail_triggers',
  columns: {
    ...runKey,
    seq: { type: 'bigint', merge: 'key' },
    rule_id: { type: 'text', merge: 'set' },
    stage: { type: 'text', merge: 'set' },
    action: { type: 'text', merge: 'set' },
    call_id: { type: 'text', merge: 'set' },
    detail: { type: 'text', merge: 'set' },
    at: { type: 'timestamptz', merge: 'set' },
  },
};

export const DETAIL_TABLES = [STEPS, MODEL_CALLS, TOOL_CALLS, APPROVALS, GUARDRAIL_TRIGGERS];

type Run = { tenant_id: string; run_id: string };

export interface DetailRow {
  spec: TableSpec;
  row: Row;
}

/** What one event adds to the detail tables (most events add one partial row, some none). */
export function detailRowsOf(event: TetherEvent, seq: number): DetailRow[] {
  const run = { tenant_id: event.tenantId, run_id: event.runId };
  const at = event.time;
  switch (event.type) {
    case 'model.requested': {
      const d = event.data;
      return [
        step(run, d.step, { attempts: d.attempt, started_at: at }),
        modelCall(run, d.step, d.attempt, {
          provider: d.provider,
          requested_model: d.model,
          requested_at: at,
          status: 'requested',
          status_seq: seq,
        }),
      ];
    }
    case 'model.responded': {
      const d = event.data;
      // What the turn and the attempt that answered have in common.
      const answer = {
        model: d.model,
        ended_at: at,
        finish_reason: d.finishReason,
        input_tokens: d.usage.inputTokens,
        output_tokens: d.usage.outputTokens,
        cost_usd: d.costUsd,
        latency_ms: Math.round(d.latencyMs),
      };
      return [
        step(
          run,
          d.step,
          {
            tool_calls: d.toolCalls?.length ?? 0,
            text: d.text ?? null,
          },
          answer,
        ),
        // Every call the model proposed, even one the run never got to (it ended first).
        ...(d.toolCalls ?? []).map((c) =>
          tool(run, c.callId, {
            tool: c.name,
            step: d.step,
            args: c.args,
            status: 'proposed',
            status_seq: seq,
          }),
        ),
        modelCall(
          run,
          d.step,
          d.attempt ?? 0,
          {
            cached_input_tokens: d.usage.cachedInputTokens,
            reasoning_tokens: d.usage.reasoningTokens,
            status: 'responded',
            status_seq: seq,
          },
          answer,
        ),
      ];
    }
    case 'model.failed': {
      const d = event.data;
      return [
        step(run, d.step, { attempts: d.attempt, failures: 1 }),
        modelCall(run, d.step, d.attempt, {
          requested_model: d.model,
          ended_at: at,
          error: d.error,
          retryable: d.retryable,
          status: 'failed',
          status_seq: seq,
        }),
      ];
    }
    case 'tool.requested': {
      const d = event.data;
      const parked = d.tier === 2 || d.permission === 'ask';
      return [
        tool(run, d.callId, {
          tool: d.tool,
          tier: d.tier,
          step: d.step,
          args: d.args,
          permission: d.permission ?? null,
          rule: d.rule ?? null,
          requested_at: at,
          status: parked ? 'awaiting_approval' : 'requested',
          status_seq: seq,
        }),
      ];
    }
    case 'tool.drafted':
      return [
        tool(run, event.data.callId, { tool: event.data.tool, status: 'drafted', status_seq: seq }),
      ];
    case 'tool.denied': {
      const d = event.data;
      return [
        tool(run, d.callId, {
          tool: d.tool,
          reason: d.reason,
          error: d.message,
          denied_by: d.rule ?? null,
          ended_at: at,
          status: 'denied',
          status_seq: seq,
        }),
      ];
    }
    case 'tool.started': {
      const d = event.data;
      return [
        tool(run, d.callId, {
          tool: d.tool,
          started_at: at,
          attempts: d.attempt,
          dry_run: d.dryRun,
          status: 'running',
          status_seq: seq,
        }),
      ];
    }
    case 'tool.completed': {
      const d = event.data;
      return [
        tool(run, d.callId, {
          tool: d.tool,
          result: d.result ?? null,
          latency_ms: Math.round(d.latencyMs),
          dry_run: d.dryRun,
          ended_at: at,
          attempts: d.attempts,
          cost_usd: d.costUsd ?? null,
          guardrail: d.guardrail?.action ?? null,
          status: 'completed',
          status_seq: seq,
        }),
      ];
    }
    case 'tool.failed': {
      const d = event.data;
      return [
        tool(run, d.callId, {
          tool: d.tool,
          reason: d.reason,
          error: d.error,
          ended_at: at,
          latency_ms: d.latencyMs === undefined ? undefined : Math.round(d.latencyMs),
          attempts: d.attempts,
          status: 'failed',
          status_seq: seq,
        }),
      ];
    }
    case 'approval.requested': {
      const d = event.data;
      return [
        approval(run, d.approvalId, {
          call_id: d.callId,
          tool: d.tool,
          tier: d.tier,
          requested_by: d.requestedBy,
          quorum: d.quorum,
          risk: d.risk ?? null,
          requested_at: at,
          expires_at: d.expiresAt,
          status: 'pending',
          status_seq: seq,
        }),
        tool(run, d.callId, { tool: d.tool, status: 'awaiting_approval', status_seq: seq }),
      ];
    }
    case 'approval.granted': {
      const d = event.data;
      return [
        approval(run, d.approvalId, {
          call_id: d.callId,
          approver_id: d.approverId,
          reason: d.reason ?? null,
          decided_at: at,
          edited: d.editedArgs !== undefined,
          status: 'granted',
          status_seq: seq,
        }),
        tool(run, d.callId, { status: 'approved', status_seq: seq }),
      ];
    }
    case 'approval.denied': {
      const d = event.data;
      return [
        approval(run, d.approvalId, {
          call_id: d.callId,
          approver_id: d.approverId,
          reason: d.reason ?? null,
          decided_at: at,
          status: 'denied',
          status_seq: seq,
        }),
        tool(run, d.callId, {
          reason: 'approval_denied',
          error: d.reason ?? null,
          ended_at: at,
          status: 'denied',
          status_seq: seq,
        }),
      ];
    }
    case 'approval.expired': {
      const d = event.data;
      return [
        approval(run, d.approvalId, {
          call_id: d.callId,
          decided_at: at,
          status: 'expired',
          status_seq: seq,
        }),
        tool(run, d.callId, {
          reason: 'approval_expired',
          ended_at: at,
          status: 'denied',
          status_seq: seq,
        }),
      ];
    }
    case 'guardrail.triggered': {
      const d = event.data;
      return [
        {
          spec: GUARDRAIL_TRIGGERS,
          row: {
            tenant_id: run.tenant_id,
            run_id: run.run_id,
            seq,
            rule_id: d.ruleId,
            stage: d.stage,
            action: d.action,
            call_id: d.callId ?? null,
            detail: d.detail ?? null,
            at,
          },
        },
      ];
    }
    default:
      return [];
  }
}

// The key columns first, then the event's fields added in place: spreading `fields` into a new
// literal after other properties takes V8's slow path, which dominated this projection's time.
function step(run: Run, step: number, fields: Row, more?: Row): DetailRow {
  return {
    spec: STEPS,
    row: Object.assign({ tenant_id: run.tenant_id, run_id: run.run_id, step }, fields, more),
  };
}

function modelCall(run: Run, step: number, attempt: number, fields: Row, more?: Row): DetailRow {
  return {
    spec: MODEL_CALLS,
    row: Object.assign(
      { tenant_id: run.tenant_id, run_id: run.run_id, step, attempt },
      fields,
      more,
    ),
  };
}

function tool(run: Run, callId: string, fields: Row): DetailRow {
  return {
    spec: TOOL_CALLS,
    row: Object.assign({ tenant_id: run.tenant_id, run_id: run.run_id, call_id: callId }, fields),
  };
}

function approval(run: Run, approvalId: string, fields: Row): DetailRow {
  return {
    spec: APPROVALS,
    row: Object.assign(
      { tenant_id: run.tenant_id, run_id: run.run_id, approval_id: approvalId },
      fields,
    ),
  };
}
