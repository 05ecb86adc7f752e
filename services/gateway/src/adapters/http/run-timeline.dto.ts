import { ApiProperty } from '@nestjs/swagger';
import type {
  ApprovalView,
  GuardrailTriggerView,
  ModelCallView,
  RunTimeline,
  StepView,
  ToolCallStatus,
  ToolCallView,
} from '@tether/contracts';
import { APPROVAL_STATUSES, MODEL_CALL_STATUSES, TOOL_CALL_STATUSES } from '@tether/contracts';
import { RunViewDoc } from './run.dto';

// The answer of `GET /v1/runs/{runId}/timeline` in OpenAPI; `implements` keeps it in step with
// the contract (contracts/src/traces/run-timeline.ts). A value not known yet is null.

const nullable = (type: typeof String | typeof Number | typeof Boolean, description?: string) =>
  ApiProperty({ type, nullable: true, ...(description !== undefined && { description }) });
const text = (description?: string) => nullable(String, description);
const num = (description?: string) => nullable(Number, description);
const flag = (description?: string) => nullable(Boolean, description);
const time = (description?: string) =>
  ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    ...(description !== undefined && { description }),
  });

export class StepViewDoc implements StepView {
  @ApiProperty({ description: 'The model turn, from 1.' }) step!: number;
  @text('The model that answered.') model!: string | null;
  @num() attempts!: number | null;
  @ApiProperty() failures!: number;
  @time() startedAt!: string | null;
  @time() endedAt!: string | null;
  @text() finishReason!: string | null;
  @num('Tool calls the model proposed in this turn.') toolCalls!: number | null;
  @num() inputTokens!: number | null;
  @num() outputTokens!: number | null;
  @num() costUsd!: number | null;
  @num() latencyMs!: number | null;
  @text("The model's text, when it wrote any (redacted).") text!: string | null;
}

export class ModelCallViewDoc implements ModelCallView {
  @ApiProperty() step!: number;
  @ApiProperty({ description: '0 for an answer recorded before answers named their attempt.' })
  attempt!: number;
  @text() provider!: string | null;
  @text() requestedModel!: string | null;
  @text('The exact model id that answered.') model!: string | null;
  @ApiProperty({ enum: MODEL_CALL_STATUSES })
  status!: ModelCallView['status'];
  @time() requestedAt!: string | null;
  @time() endedAt!: string | null;
  @num() inputTokens!: number | null;
  @num() outputTokens!: number | null;
  @num() cachedInputTokens!: number | null;
  @num() reasoningTokens!: number | null;
  @num() costUsd!: number | null;
  @num() latencyMs!: number | null;
  @text() finishReason!: string | null;
  @text() error!: string | null;
  @flag() retryable!: boolean | null;
}

export class ToolCallViewDoc implements ToolCallView {
  @ApiProperty() callId!: string;
  @text() tool!: string | null;
  @num() tier!: number | null;
  @num() step!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Redacted.',
  })
  args!: Record<string, unknown> | null;
  @text('What the permission matrix said (`allow`, `ask`).') permission!: string | null;
  @text('The permission rule that said it.') rule!: string | null;
  @ApiProperty({ enum: TOOL_CALL_STATUSES }) status!: ToolCallStatus;
  @text('Why it failed or was denied: a reason code.') reason!: string | null;
  @text() error!: string | null;
  @text('The rule or switch that denied it.') deniedBy!: string | null;
  @time() requestedAt!: string | null;
  @time() startedAt!: string | null;
  @time() endedAt!: string | null;
  @num() attempts!: number | null;
  @flag() dryRun!: boolean | null;
  @ApiProperty({ nullable: true, description: 'Any JSON the tool returned (redacted).' })
  result!: unknown;
  @num() latencyMs!: number | null;
  @num() costUsd!: number | null;
  @text('What the injection rules made of the result: `flag`, `block` or `escalate`.')
  guardrail!: string | null;
}

export class ApprovalViewDoc implements ApprovalView {
  @ApiProperty() approvalId!: string;
  @text() callId!: string | null;
  @text() tool!: string | null;
  @num() tier!: number | null;
  @text() requestedBy!: string | null;
  @num() quorum!: number | null;
  @text() risk!: string | null;
  @time() requestedAt!: string | null;
  @time() expiresAt!: string | null;
  @ApiProperty({ enum: APPROVAL_STATUSES })
  status!: ApprovalView['status'];
  @text() approverId!: string | null;
  @text() reason!: string | null;
  @time() decidedAt!: string | null;
  @flag('The approver changed the arguments.') edited!: boolean | null;
}

export class GuardrailTriggerViewDoc implements GuardrailTriggerView {
  @ApiProperty({ description: "The event's position in the log." }) seq!: number;
  @text() ruleId!: string | null;
  @text('input, output, tool_args or tool_result.') stage!: string | null;
  @text() action!: string | null;
  @text() callId!: string | null;
  @text('Never quotes the matched text.') detail!: string | null;
  @time() at!: string | null;
}

export class RunTimelineDoc implements RunTimeline {
  @ApiProperty({ type: RunViewDoc }) run!: RunViewDoc;
  @ApiProperty({ type: [StepViewDoc], description: 'Model turns, by step.' })
  steps!: StepViewDoc[];
  @ApiProperty({ type: [ModelCallViewDoc], description: 'Every model call attempt, by step.' })
  modelCalls!: ModelCallViewDoc[];
  @ApiProperty({ type: [ToolCallViewDoc], description: 'Tool calls, oldest first.' })
  toolCalls!: ToolCallViewDoc[];
  @ApiProperty({ type: [ApprovalViewDoc], description: 'Approvals, oldest first.' })
  approvals!: ApprovalViewDoc[];
  @ApiProperty({ type: [GuardrailTriggerViewDoc], description: 'In log order.' })
  guardrails!: GuardrailTriggerViewDoc[];
}
