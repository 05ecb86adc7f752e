import { SAME_CALL_LIMIT, SAME_TOOL_RUN_LIMIT, callSignature, detectLoop } from './loop.policy';
import {
  Outcome,
  REASON_PATTERN,
  ReasonCode,
  RunExecution,
  RunMode,
  type AgentRelease,
  type BudgetDecision,
  type RunLimits,
  type StartRun,
  type ToolSpec,
} from '@tether/contracts';
import { IllegalStateError, ValidationError } from '@tether/errors';
import { checkToolArgs, guardrailsOf, type InputClassification } from '@tether/guardrails';
import { event, type DecidedEvent } from './decided';
import {
  checkAnswer,
  checkRunInput,
  clipContext,
  handOff,
  inputEnding,
  triggered,
} from './guardrail.outcomes';
import { Messages } from './run.messages';
import { nextAction } from './run.next';
import { redact, redactText } from '@tether/redaction';
import { approvalTerms, callPolicy, queueIdOf, sampledForReview } from './autonomy.policy';
import { capProblems } from './cap.policy';
import {
  assertNever,
  isActive,
  isTerminal,
  isUnstarted,
  type ActiveRun,
  type PendingCall,
  type RunState,
} from './run.state';

export interface ModelResponse {
  /** The exact model id that answered. */
  model: string;
  text?: string;
  toolCalls?: { name: string; args: Record<string, unknown> }[];
  usage: {
    inputTokens: number;
    outputTokens: number;
    cachedInputTokens: number;
    reasoningTokens: number;
  };
  costUsd: number;
  latencyMs: number;
  finishReason: string;
}

export type RunCommand =
  | {
      type: 'StartRun';
      command: StartRun;
      tenantId: string;
      requestId?: string;
      /** The agent's current release; undefined when no agent of that name is loaded. */
      release?: AgentRelease;
      /** The injection classifier's verdict on the input, when the agent asks for one. */
      classification?: InputClassification;
    }
  | {
      type: 'RequestModel';
      provider: string;
      model: string;
      /** The budget service's answer for this call's worst case; absent when none was needed. */
      budget?: BudgetDecision;
    }
  /** Holds money for a priced tool call before it runs (see `BudgetDecision`). */
  | { type: 'ReserveToolCall'; callId: string; budget: BudgetDecision }
  | {
      type: 'RecordModelResponse';
      response: ModelResponse;
      /**
       * Problems with the arguments of proposed calls, by their index in `response.toolCalls`,
       * as the tool's JSON Schema found them (checked by the caller: schemas are data, not domain).
       */
      argProblems?: Record<number, string[]>;
    }
  | {
      type: 'RecordModelFailure';
      model: string;
      error: string;
      retryable: boolean;
      maxAttempts: number;
    }
  | { type: 'CancelRun'; requestedBy: string; reason?: string }
  | { type: 'StartToolCall'; callId: string; deadline: string; dryRun: boolean }
  | {
      type: 'CompleteToolCall';
      callId: string;
      result: unknown;
      latencyMs: number;
      dryRun: boolean;
    }
  | {
      type: 'FailToolCall';
      callId: string;
      reason: string;
      error: string;
      retryable: boolean;
      latencyMs?: number;
    }
  /** Aborts with reason `timeout` when now > startedAt + limits.timeoutMs; otherwise decides nothing. */
  | { type: 'CheckDeadline' }
  /** Asks a human about a call that waits for one (see `nextAction` `request_approval`). */
  | { type: 'RequestApproval'; callId: string }
  /** A call that never started will not run (e.g. its original arguments are gone). */
  | { type: 'DenyToolCall'; callId: string; reason: string; message: string }
  /** Hands the run to a human after a call of unknown outcome, and ends it. */
  | { type: 'Escalate' };

export interface DecideContext {
  /** ISO time of the decision; the domain never reads a clock. */
  now: string;
  /** The run's release, for tool lookup; required once the model proposes tool calls. */
  release?: AgentRelease;
}

/**
 * The events a command leads to, given the run's state. Expected business outcomes (a rejected
 * start, a limit hit, an unknown tool) are events; a command the state does not allow throws
 * `IllegalStateError`, and a malformed one `ValidationError`. Never reads a clock or makes ids.
 */
export function decide(command: RunCommand, state: RunState, ctx: DecideContext): DecidedEvent[] {
  switch (command.type) {
    case 'StartRun':
      return startRun(command, state);
    case 'RequestModel':
      return requestModel(command, state, ctx);
    case 'ReserveToolCall':
      return reserveToolCall(command, state);
    case 'RecordModelResponse':
      return recordModelResponse(command.response, state, ctx, command.argProblems ?? {});
    case 'RecordModelFailure':
      return recordModelFailure(command, state);
    case 'CancelRun':
      return cancelRun(command, state);
    case 'StartToolCall':
      return startToolCall(command, state);
    case 'CompleteToolCall':
      return completeToolCall(command, state);
    case 'FailToolCall':
      return failToolCall(command, state);
    case 'CheckDeadline':
      return checkDeadline(state, ctx);
    case 'RequestApproval':
      return requestApproval(command, state, ctx);
    case 'DenyToolCall':
      return denyToolCall(command, state);
    case 'Escalate':
      return escalate(state);
    default:
      return assertNever(command);
  }
}

type Cmd<T extends RunCommand['type']> = Extract<RunCommand, { type: T }>;

function startRun(cmd: Cmd<'StartRun'>, state: RunState): DecidedEvent[] {
  if (!isUnstarted(state)) {
    throw new IllegalStateError(
      `run ${state.runId} already exists (${state.status}); StartRun applies only to a new run`,
    );
  }
  const { command, release, requestId } = cmd;
  const rejected = (reason: ReasonCode, message: string, problem: string) =>
    event('run.rejected', {
      outcome: Outcome.Failed,
      reason,
      message,
      problems: [problem],
      agent: command.agent,
      ...(requestId !== undefined && { requestId }),
    });
  if (release === undefined) {
    return [
      rejected(
        ReasonCode.UnknownAgent,
        Messages.unknownAgent(command.agent),
        `agent "${command.agent}" is not loaded`,
      ),
    ];
  }
  if (release.name !== command.agent) {
    throw new ValidationError(
      `StartRun for agent "${command.agent}" was given the release of "${release.name}"`,
    );
  }
  const max = release.limits.maxInputChars;
  if (command.input.length > max) {
    return [
      rejected(
        ReasonCode.InputTooLarge,
        Messages.inputTooLarge(command.input.length, max),
        `input has ${command.input.length} characters; agent "${release.name}" accepts at most ${max}`,
      ),
    ];
  }
  const charge = classifierCharge(cmd.classification);
  const started = event('run.started', {
    agent: release.name,
    release: release.release,
    input: command.input,
    userId: command.userId,
    roles: command.roles,
    mode: command.mode ?? RunMode.Live,
    ...(command.execution === RunExecution.Async && { execution: RunExecution.Async }),
    model: { provider: release.spec.model.provider, id: release.spec.model.id },
    limits: runLimits(release, command.execution),
    ...(command.metadata !== undefined && { metadata: command.metadata }),
    ...(requestId !== undefined && { requestId }),
    ...(charge && { classifier: charge }),
  });
  return [started, ...checkRunInput(release.spec, command, cmd.classification)];
}

/** The classifier's call as the run's first event records it, for the ledger; none if unpaid. */
function classifierCharge(c: InputClassification | undefined) {
  if (!c || (c.costUsd === undefined && c.reservationId === undefined)) return undefined;
  return {
    model: c.model,
    costUsd: c.costUsd ?? 0,
    ...(c.reservationId !== undefined && { reservationId: c.reservationId }),
  };
}

/**
 * The limits a run carries in its log, so a replay enforces the same ones; the wall-clock limit
 * is the one of its execution (an asynchronous run has nobody waiting on it).
 */
function runLimits(release: AgentRelease, execution: RunExecution | undefined): RunLimits {
  const l = release.limits;
  const limits: RunLimits = {
    maxSteps: l.maxSteps,
    maxToolCalls: l.maxToolCalls,
    maxTokens: l.maxTokens,
    timeoutMs: execution === RunExecution.Async ? l.asyncTimeoutMs : l.timeoutMs,
  };
  if (l.maxCostUsd !== undefined) limits.maxCostUsd = l.maxCostUsd;
  return limits;
}

function requestModel(
  cmd: Cmd<'RequestModel'>,
  state: RunState,
  ctx: DecideContext,
): DecidedEvent[] {
  const run = requireActive(state, cmd.type);
  // Held back by the input checks, and the worker died before the run's end was recorded.
  if (run.inputHeld) return inputEnding(ctx.release?.spec, run.inputHeld, run);
  const next = nextAction(run);
  if (next.kind !== 'call_model') {
    throw new IllegalStateError(`run ${run.runId} cannot call the model now: ${describe(next)}`);
  }
  if (next.step > run.limits.maxSteps) {
    return [
      aborted(
        ReasonCode.MaxSteps,
        Messages.maxSteps(run.limits.maxSteps),
        'maxSteps',
        run.limits.maxSteps,
      ),
    ];
  }
  if (pastDeadline(run, ctx.now)) return [timedOut(run)];
  const requested = event('model.requested', {
    step: next.step,
    attempt: next.attempt,
    provider: cmd.provider,
    model: cmd.model,
  });
  if (!cmd.budget) return [requested];
  const budget = budgetEvents(cmd.budget, {
    kind: 'model',
    item: `${cmd.provider}:${cmd.model}`,
  });
  return cmd.budget.granted ? [...budget, requested] : budget;
}

function reserveToolCall(cmd: Cmd<'ReserveToolCall'>, state: RunState): DecidedEvent[] {
  const run = requireActive(state, cmd.type);
  const call = run.pendingCalls.find((c) => c.callId === cmd.callId);
  if (!call || call.status !== 'requested' || call.reservation) {
    throw new IllegalStateError(
      `run ${run.runId} has no call ${cmd.callId} waiting to run without a reservation`,
    );
  }
  return budgetEvents(cmd.budget, { kind: 'tool', item: call.tool, callId: call.callId });
}

/**
 * A granted reservation: its warnings, then `budget.reserved`. A refused one: `budget.exceeded`
 * naming the cap and the run's end, reason `budget` — the call is never made.
 */
function budgetEvents(
  budget: BudgetDecision,
  what: { kind: 'model' | 'tool'; item: string; callId?: string },
): DecidedEvent[] {
  if (!budget.granted) {
    const r = budget.refusal;
    return [
      event('budget.exceeded', {
        cap: r.cap,
        limitUsd: r.limitUsd,
        requestedUsd: r.requestedUsd ?? 0,
        period: r.period,
        spentUsd: r.spentUsd,
        reason: r.reason,
      }),
      aborted(ReasonCode.Budget, Messages.budgetRefused(r.cap, r.reason), r.cap, r.limitUsd),
    ];
  }
  return [
    ...budget.warnings.map((w) => event('budget.warning', { ...w })),
    event('budget.reserved', {
      reservationId: budget.reservationId,
      amountUsd: budget.amountUsd,
      kind: what.kind,
      item: what.item,
      priceVersion: budget.priceVersion,
      ...(what.callId !== undefined && { callId: what.callId }),
    }),
  ];
}

function recordModelResponse(
  response: ModelResponse,
  state: RunState,
  ctx: DecideContext,
  argProblems: Record<number, string[]>,
): DecidedEvent[] {
  const run = requireAwaitingModel(state, 'RecordModelResponse');
  const limits = run.limits;
  const step = run.step + 1;
  // Call ids come from the turn and position, so a replayed decision yields the same ids.
  const calls = (response.toolCalls ?? []).map((c, i) => ({
    callId: `call_${step}_${i}`,
    name: c.name,
    args: c.args,
    // What the log may hold of the arguments; the tool gets the real ones (see `redacted`).
    logged: redactArgs(c.args),
  }));
  const { inputTokens, outputTokens, cachedInputTokens, reasoningTokens } = response.usage;
  const answer = checkAnswer(ctx.release?.spec, response.text, calls.length === 0, {
    input: run.input,
    userId: run.userId,
    step,
  });
  const events: DecidedEvent[] = [
    event('model.responded', {
      step,
      ...(run.modelAttempt > 0 && { attempt: run.modelAttempt }),
      model: response.model,
      ...(answer.text !== undefined && { text: answer.text }),
      ...(calls.length > 0 && {
        toolCalls: calls.map((c) => ({ callId: c.callId, name: c.name, args: c.logged.args })),
      }),
      usage: { inputTokens, outputTokens, cachedInputTokens, reasoningTokens },
      costUsd: response.costUsd,
      latencyMs: response.latencyMs,
      finishReason: response.finishReason,
      ...(run.modelReservation !== undefined && { reservationId: run.modelReservation }),
    }),
    ...answer.events,
  ];
  if (answer.ends) return events;

  if (run.tokens + inputTokens + outputTokens > limits.maxTokens) {
    events.push(
      aborted(ReasonCode.TokenBudget, Messages.tokenBudget(), 'maxTokens', limits.maxTokens),
    );
    return events;
  }
  if (limits.maxCostUsd !== undefined && run.costUsd + response.costUsd > limits.maxCostUsd) {
    events.push(aborted(ReasonCode.Budget, Messages.costBudget(), 'maxCostUsd', limits.maxCostUsd));
    return events;
  }
  if (calls.length === 0) {
    events.push(
      event('run.completed', {
        outcome: Outcome.Success,
        reason: ReasonCode.Completed,
        message: Messages.completed(),
        output: answer.text ?? '',
      }),
    );
    return events;
  }

  const tools = toolsOf(run, ctx);
  const agent = ctx.release!.spec;
  // Read before permissions and approval: a blocked action is never offered to a human either.
  const blocked = calls.map((c) =>
    tools.has(c.name) ? checkToolArgs(guardrailsOf(agent), c.name, c.args).triggers : [],
  );
  const permissions = calls.map((c) => {
    const spec = tools.get(c.name);
    return spec && callPolicy(agent, run.roles, spec, c.args);
  });
  // Only calls that would be requested count: unknown, blocked and forbidden calls never run.
  const requested = permissions.reduce(
    (n, p, i) => (p && p.effect !== 'deny' && blocked[i].length === 0 ? n + 1 : n),
    0,
  );
  if (run.toolCalls + requested > limits.maxToolCalls) {
    events.push(
      aborted(
        ReasonCode.MaxToolCalls,
        Messages.maxToolCalls(limits.maxToolCalls),
        'maxToolCalls',
        limits.maxToolCalls,
      ),
    );
    return events;
  }
  // Loop detection looks at the calls of this turn too, in order.
  const history = [...run.callHistory];
  for (const call of calls) {
    if (!tools.has(call.name)) continue;
    const record = { tool: call.name, signature: callSignature(call.name, call.args) };
    const loop = detectLoop(history, record);
    if (loop) {
      events.push(
        aborted(
          ReasonCode.LoopDetected,
          Messages.loopDetected(call.name),
          loop === 'same_call' ? 'sameCall' : 'sameToolRun',
          loop === 'same_call' ? SAME_CALL_LIMIT : SAME_TOOL_RUN_LIMIT,
        ),
      );
      return events;
    }
    history.push(record);
  }
  // Malformed arguments get one repair turn: the call is denied with the problems, which the
  // model sees as the call's result. Malformed again on the repair turn: the run fails.
  const malformed = calls.some((c, i) => tools.has(c.name) && argProblems[i]?.length);
  if (malformed && run.repairing) {
    events.push(
      event('run.failed', {
        outcome: Outcome.Failed,
        reason: ReasonCode.MalformedOutput,
        message: Messages.malformedOutput(),
        detail: redactText(Object.values(argProblems).flat().join('; ')).text,
      }),
    );
    return events;
  }
  for (const [i, call] of calls.entries()) {
    const problems = tools.has(call.name) ? argProblems[i] : undefined;
    if (problems?.length) {
      events.push(
        event('tool.denied', {
          callId: call.callId,
          tool: call.name,
          reason: ReasonCode.InvalidArguments,
          message: redactText(Messages.invalidArguments(call.name, problems)).text,
        }),
      );
      continue;
    }
    const spec = tools.get(call.name);
    const permission = permissions[i];
    const overCaps = spec ? capProblems(spec.caps, call.args) : [];
    if (spec === undefined || permission === undefined) {
      events.push(
        event('tool.denied', {
          callId: call.callId,
          tool: call.name,
          reason: ReasonCode.UnknownTool,
          message: Messages.unknownTool(call.name),
        }),
      );
    } else if (blocked[i].length) {
      events.push(
        ...triggered(blocked[i], call.callId),
        event('tool.denied', {
          callId: call.callId,
          tool: call.name,
          reason: ReasonCode.GuardrailBlocked,
          message: Messages.guardrailBlockedCall(call.name),
          rule: blocked[i].map((t) => t.ruleId).join(','),
        }),
      );
    } else if (overCaps.length) {
      events.push(
        event('tool.denied', {
          callId: call.callId,
          tool: call.name,
          reason: ReasonCode.CapExceeded,
          message: Messages.capExceeded(call.name, overCaps),
        }),
      );
    } else if (permission.effect === 'deny') {
      events.push(
        event('tool.denied', {
          callId: call.callId,
          tool: call.name,
          reason: ReasonCode.PermissionDenied,
          message: Messages.permissionDenied(call.name),
          rule: permission.rule,
        }),
      );
    } else {
      const { args, redacted } = call.logged;
      const { autonomy } = permission;
      events.push(
        event('tool.requested', {
          callId: call.callId,
          tool: call.name,
          tier: spec.tier,
          args,
          step,
          permission: permission.effect,
          rule: permission.rule,
          ...(redacted && { redacted: true }),
          ...(autonomy !== 0 && { autonomy }),
        }),
      );
      if (permission.draft) {
        events.push(
          event('tool.drafted', {
            draftId: queueIdOf('drf', run.runId, call.callId),
            callId: call.callId,
            tool: call.name,
            tier: spec.tier,
            args,
            requestedBy: run.userId,
            agent: run.agent,
          }),
        );
      } else if (
        autonomy === 1 &&
        !permission.needsApproval &&
        sampledForReview(run.runId, call.callId, agent.review?.share ?? 0)
      ) {
        events.push(
          event('review.requested', {
            reviewId: queueIdOf('rev', run.runId, call.callId),
            callId: call.callId,
            tool: call.name,
            tier: spec.tier,
            args,
            requestedBy: run.userId,
            agent: run.agent,
          }),
        );
      }
    }
  }
  return events;
}

function redactArgs(args: Record<string, unknown>): {
  args: Record<string, unknown>;
  redacted: boolean;
} {
  const { value, paths } = redact(args);
  return { args: value as Record<string, unknown>, redacted: paths.length > 0 };
}

function requestApproval(
  cmd: Cmd<'RequestApproval'>,
  state: RunState,
  ctx: DecideContext,
): DecidedEvent[] {
  const run = requireActive(state, cmd.type);
  const call = requireCall(run, cmd.callId, cmd.type);
  if (call.status !== 'awaiting_approval' || call.approvalId !== undefined) {
    throw new IllegalStateError(
      `${cmd.type}: tool call ${cmd.callId} is ${call.status}${call.approvalId ? ` with approval ${call.approvalId}` : ''}; only a call waiting for a first approval request can get one`,
    );
  }
  const now = requireTime('DecideContext.now', ctx.now);
  const terms = approvalTerms(
    ctx.release?.spec,
    ctx.release?.spec.tools.find((t) => t.name === call.tool),
  );
  const reasoning = modelTextOf(run, call.step);
  return [
    event('approval.requested', {
      // One approval per call, so a repeated decision names the same approval.
      approvalId: queueIdOf('apr', run.runId, call.callId),
      callId: call.callId,
      tool: call.tool,
      tier: call.tier,
      args: call.args,
      requestedBy: run.userId,
      expiresAt: new Date(now + terms.ttlMs).toISOString(),
      quorum: terms.quorum,
      risk: terms.risk,
      onExpiry: terms.onExpiry,
      context: {
        agent: run.agent,
        step: call.step,
        input: clipContext(run.input),
        ...(reasoning !== undefined && { reasoning: clipContext(reasoning) }),
        // The approver should know the model may be acting on someone else's instructions.
        ...(readSuspectResult(run) && { warning: Messages.suspectResultBeforeCall() }),
      },
    }),
  ];
}

/** The run read a tool result the injection rules flagged or held back. */
function readSuspectResult(run: ActiveRun): boolean {
  return run.transcript.some((e) => e.role === 'tool' && (e.flagged || e.withheld));
}

/** What the model said in the turn that proposed a call, if it said anything. */
function modelTextOf(run: ActiveRun, step: number): string | undefined {
  let turn = 0;
  for (const entry of run.transcript) {
    if (entry.role !== 'assistant') continue;
    turn += 1;
    if (turn === step) return entry.content || undefined;
  }
  return undefined;
}

function denyToolCall(cmd: Cmd<'DenyToolCall'>, state: RunState): DecidedEvent[] {
  if (!REASON_PATTERN.test(cmd.reason)) {
    throw new ValidationError(`DenyToolCall.reason must be a snake_case code, got "${cmd.reason}"`);
  }
  const run = requireActive(state, cmd.type);
  const call = requireCall(run, cmd.callId, cmd.type);
  if (call.status !== 'requested') {
    throw new IllegalStateError(
      `${cmd.type}: tool call ${cmd.callId} is ${call.status}; only a call that has not started can be denied`,
    );
  }
  return [
    event('tool.denied', {
      callId: call.callId,
      tool: call.tool,
      reason: cmd.reason,
      message: cmd.message,
    }),
  ];
}

function escalate(state: RunState): DecidedEvent[] {
  const run = requireActive(state, 'Escalate');
  const unresolved = run.unresolved;
  if (unresolved === undefined) {
    if (run.handover !== undefined) return handOver(run, run.handover);
    throw new IllegalStateError(`Escalate: run ${run.runId} has nothing to escalate`);
  }
  const key = `${run.runId}:${unresolved.callId}`;
  return handOff(run.escalated, ReasonCode.UnknownOutcome, {
    message: Messages.escalatedUnknownOutcome(unresolved.tool, key),
    ending: Messages.unknownOutcome(),
    detail: `outcome of ${unresolved.tool} (${key}) unknown; escalated to a human`,
    callId: unresolved.callId,
    context: { tool: unresolved.tool, idempotencyKey: key, userId: run.userId, step: run.step },
  });
}

/**
 * The run is handed to a human and ends: an approval expired on an agent that escalates expiries,
 * or a tool result carried instructions on an agent that escalates those.
 */
function handOver(run: ActiveRun, handover: NonNullable<ActiveRun['handover']>): DecidedEvent[] {
  if (handover.reason === ReasonCode.ApprovalExpired) {
    const approvalId = queueIdOf('apr', run.runId, handover.callId);
    return handOff(run.escalated, ReasonCode.ApprovalExpired, {
      message: Messages.escalatedApprovalExpired(handover.tool, approvalId),
      detail: `approval ${approvalId} for ${handover.tool} expired; escalated to a human`,
      callId: handover.callId,
      context: {
        tool: handover.tool,
        approvalId,
        userId: run.userId,
        step: run.step,
        input: clipContext(run.input),
      },
    });
  }
  const rules = (handover.rules ?? []).join(', ');
  return handOff(run.escalated, handover.reason as ReasonCode, {
    message: Messages.escalatedToolResult(handover.tool, rules),
    detail: `result of ${handover.tool} (${handover.callId}) matched ${rules}; escalated to a human`,
    callId: handover.callId,
    context: {
      tool: handover.tool,
      rules: handover.rules ?? [],
      userId: run.userId,
      step: run.step,
      input: clipContext(run.input),
    },
  });
}

function recordModelFailure(cmd: Cmd<'RecordModelFailure'>, state: RunState): DecidedEvent[] {
  if (!Number.isInteger(cmd.maxAttempts) || cmd.maxAttempts < 1) {
    throw new ValidationError('RecordModelFailure.maxAttempts must be an integer of at least 1');
  }
  const run = requireAwaitingModel(state, cmd.type);
  const attempt = run.modelAttempt;
  // A provider's error may quote what the model wrote (malformed arguments with someone's email).
  const error = redactText(cmd.error).text;
  const events: DecidedEvent[] = [
    event('model.failed', {
      step: run.step + 1,
      attempt,
      model: cmd.model,
      error,
      retryable: cmd.retryable,
      ...(run.modelReservation !== undefined && { reservationId: run.modelReservation }),
    }),
  ];
  if (!cmd.retryable || attempt >= cmd.maxAttempts) {
    events.push(
      event('run.failed', {
        outcome: Outcome.Failed,
        reason: ReasonCode.ModelError,
        message: Messages.modelError(),
        detail: error,
      }),
    );
  }
  return events;
}

function cancelRun(cmd: Cmd<'CancelRun'>, state: RunState): DecidedEvent[] {
  requireActive(state, cmd.type);
  return [
    event('run.cancelled', {
      outcome: Outcome.Aborted,
      reason: ReasonCode.Cancelled,
      message: Messages.cancelled(cmd.reason),
      requestedBy: cmd.requestedBy,
    }),
  ];
}

function startToolCall(cmd: Cmd<'StartToolCall'>, state: RunState): DecidedEvent[] {
  const run = requireActive(state, cmd.type);
  const call = requireCall(run, cmd.callId, cmd.type);
  if (call.status !== 'requested') {
    // The guard against double execution: a call runs once per `tool.started`, and only from
    // `requested` (tier 2 gets there only through `approval.granted`).
    throw new IllegalStateError(
      `tool call ${cmd.callId} is ${call.status}; only a requested call can start`,
    );
  }
  if (run.mode !== RunMode.Live && !cmd.dryRun) {
    throw new IllegalStateError(
      `run ${run.runId} is in ${run.mode} mode; its tools run only as dry runs`,
    );
  }
  requireTime('StartToolCall.deadline', cmd.deadline);
  return [
    event('tool.started', {
      callId: call.callId,
      tool: call.tool,
      attempt: call.attempt + 1,
      idempotencyKey: `${run.runId}:${call.callId}`,
      deadline: cmd.deadline,
      dryRun: cmd.dryRun,
    }),
  ];
}

function completeToolCall(cmd: Cmd<'CompleteToolCall'>, state: RunState): DecidedEvent[] {
  const call = requireStartedCall(state, cmd.callId, cmd.type);
  return [
    event('tool.completed', {
      callId: call.callId,
      tool: call.tool,
      // JSON has no undefined; a tool that returned nothing returned null.
      result: cmd.result === undefined ? null : cmd.result,
      latencyMs: cmd.latencyMs,
      dryRun: cmd.dryRun,
      // A dry run acted on nothing, so it costs nothing; its hold is settled at 0.
      ...(call.reservation && {
        costUsd: cmd.dryRun ? 0 : call.reservation.amountUsd,
        reservationId: call.reservation.id,
      }),
    }),
  ];
}

function failToolCall(cmd: Cmd<'FailToolCall'>, state: RunState): DecidedEvent[] {
  if (!REASON_PATTERN.test(cmd.reason)) {
    throw new ValidationError(`FailToolCall.reason must be a snake_case code, got "${cmd.reason}"`);
  }
  const call = requireStartedCall(state, cmd.callId, cmd.type);
  return [
    event('tool.failed', {
      callId: call.callId,
      tool: call.tool,
      reason: cmd.reason,
      error: cmd.error,
      retryable: cmd.retryable,
      ...(cmd.latencyMs !== undefined && { latencyMs: cmd.latencyMs }),
    }),
  ];
}

function checkDeadline(state: RunState, ctx: DecideContext): DecidedEvent[] {
  // A timer may fire for a run that has not started or already ended: nothing to do then.
  if (!isActive(state)) return [];
  return pastDeadline(state, ctx.now) ? [timedOut(state)] : [];
}

// ---- guards and helpers

function requireActive(state: RunState, command: string): ActiveRun {
  if (isActive(state)) return state;
  if (isTerminal(state)) {
    throw new IllegalStateError(
      `${command}: run ${state.runId ?? ''} has already ended (${state.status})`,
    );
  }
  throw new IllegalStateError(`${command}: the run has not started`);
}

function requireAwaitingModel(state: RunState, command: string): ActiveRun {
  const run = requireActive(state, command);
  if (!run.awaitingModel) {
    throw new IllegalStateError(
      `${command}: run ${run.runId} has no model call waiting for an answer`,
    );
  }
  return run;
}

function requireCall(state: RunState, callId: string, command: string): PendingCall {
  const call = state.pendingCalls.find((c) => c.callId === callId);
  if (call === undefined)
    throw new IllegalStateError(`${command}: tool call ${callId} is not pending`);
  return call;
}

/**
 * The outcome of a call that really started is always recorded, even when the run ended in the
 * meantime (cancelled while the tool ran): the audit trail must show what happened in the world.
 */
function requireStartedCall(state: RunState, callId: string, command: string): PendingCall {
  if (isUnstarted(state)) throw new IllegalStateError(`${command}: the run has not started`);
  const call = requireCall(state, callId, command);
  if (call.status !== 'started') {
    throw new IllegalStateError(`${command}: tool call ${callId} is ${call.status}, not started`);
  }
  return call;
}

function toolsOf(run: ActiveRun, ctx: DecideContext): Map<string, ToolSpec> {
  const release = ctx.release;
  if (release === undefined) {
    throw new ValidationError(
      `DecideContext.release is required to look up tools of run ${run.runId}`,
    );
  }
  if (release.release !== run.release) {
    throw new ValidationError(
      `DecideContext.release is ${release.release}, but run ${run.runId} executes ${run.release}`,
    );
  }
  return new Map(release.spec.tools.map((t) => [t.name, t]));
}

function requireTime(label: string, iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms))
    throw new ValidationError(`${label} must be an ISO-8601 time, got "${iso}"`);
  return ms;
}

function pastDeadline(run: ActiveRun, now: string): boolean {
  const due = deadlineOf(run);
  return due !== undefined && requireTime('DecideContext.now', now) > Date.parse(due);
}

/**
 * When the run times out: its start plus its time limit plus the time it spent waiting for
 * humans. Undefined while it waits for one: the clock is stopped until the decision.
 */
export function deadlineOf(run: ActiveRun): string | undefined {
  if (run.waitingSince !== undefined) return undefined;
  const due = requireTime('startedAt', run.startedAt) + run.limits.timeoutMs + run.approvalWaitMs;
  return new Date(due).toISOString();
}

function timedOut(run: ActiveRun): DecidedEvent {
  return aborted(
    ReasonCode.Timeout,
    Messages.timeout(run.limits.timeoutMs),
    'timeoutMs',
    run.limits.timeoutMs,
  );
}

function aborted(
  reason: ReasonCode,
  message: string,
  limit: string,
  limitValue: number,
): DecidedEvent {
  return event('run.aborted', { outcome: Outcome.Aborted, reason, message, limit, limitValue });
}

function describe(next: ReturnType<typeof nextAction>): string {
  switch (next.kind) {
    case 'call_model':
      return 'the model is next';
    case 'execute_tool':
      return `tool call ${next.call.callId} is ready to run`;
    case 'request_approval':
      return `tool call ${next.call.callId} needs an approval request`;
    case 'escalate':
      return `tool call ${next.callId} has an unknown outcome and must be escalated`;
    case 'wait':
      return next.reason === 'approval'
        ? 'a tool call waits for approval'
        : 'a tool call is running';
    case 'finished':
      return 'the run has ended';
    default:
      return assertNever(next);
  }
}
