import { Inject, Injectable } from '@nestjs/common';
import { context, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { createToolArgsValidator } from '@tether/agents';
import {
  ReasonCode,
  Tier,
  type AgentRelease,
  type ExecuteTool,
  type TetherEvent,
  type ToolExecuted,
  type ToolSpec,
} from '@tether/contracts';
import { isErrorNamed } from '@tether/errors';
import { checkToolArgs, checkToolResult, guardrailsOf } from '@tether/guardrails';
import { redact, redactText } from '@tether/redaction';
import { EventStore, toEnvelopes, type Decided } from '@tether/event-store';
import {
  DEFAULT_DENY,
  capProblems,
  fold,
  isTerminal,
  callPolicy,
  type CallPolicy,
} from '@tether/run-domain';
import {
  InjectConfig,
  InjectLogger,
  InjectTracer,
  failSpan,
  inSpan,
  type BaseConfig,
} from '@tether/service-kit';
import { parseRateLimit } from '../domain/rate-limit';
import { gateToolCall, safeToRepeat, type Gate } from '../domain/tool-gate.policy';
import type { ToolHandler } from '../domain/tool-handler';
import {
  AGENTS,
  KILL_SWITCHES,
  RATE_LIMITER,
  type AgentRegistry,
  type KillSwitches,
  type RateLimiter,
} from './ports';
import { toolCallAttributes, toolSpanName, toolSpanOutcome } from './tool-call.span';
import { ToolInvoker } from './tool-invoker';
import { ToolResolver } from './tool-resolver';

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_CONFLICTS = 5;
/**
 * How long past a started call's deadline the slow path waits before calling its outcome
 * unknown: the worker running it may be writing its result right at the deadline.
 */
const DEADLINE_GRACE_MS = 2_000;

/** Everything the executor knows about a requested call before it decides anything. */
interface CallPlan {
  release?: AgentRelease;
  spec?: ToolSpec;
  handler?: ToolHandler;
  permission: Pick<CallPolicy, 'effect' | 'rule' | 'needsApproval' | 'draft'>;
}

/**
 * Runs one requested call at most once. Fast path: check the call (gate, then rate limits),
 * append `tool.started` expecting the orchestrator's sequence (success proves the call is still
 * pending and nobody started it), run the tool, append its outcome. Any conflict sends the
 * request to the slow path, which reads the log and answers from what it holds.
 */
@Injectable()
export class ExecuteToolHandler {
  private readonly source: string;
  /** Calls running in this process, so a repeated request waits for the same execution. */
  private readonly inFlight = new Map<string, Promise<ToolExecuted>>();
  private readonly validateArgs = createToolArgsValidator();

  constructor(
    private readonly store: EventStore,
    @Inject(AGENTS) private readonly agents: AgentRegistry,
    private readonly tools: ToolResolver,
    private readonly invoker: ToolInvoker,
    @Inject(KILL_SWITCHES) private readonly switches: KillSwitches,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @InjectConfig() config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
    @InjectTracer() private readonly tracer: Tracer,
  ) {
    this.source = `${config.service}@${config.version}`;
  }

  /**
   * The call as an `execute_tool` span, a child of the orchestrator's span in the run's trace
   * (its context comes with the request).
   */
  handle(req: ExecuteTool): Promise<ToolExecuted> {
    return inSpan(this.tracer, toolSpanName(req), {}, context.active(), async (span) => {
      // Tracing off, the span is the API's no-op one: describing it would be wasted work.
      if (!span.isRecording()) return this.execute(req);
      span.setAttributes(toolCallAttributes(req));
      const executed = await this.execute(req);
      const outcome = toolSpanOutcome(executed.events, req.callId);
      span.setAttributes(outcome.attributes);
      if (outcome.error) failSpan(span, outcome.error.message, outcome.error.type);
      return executed;
    });
  }

  private async execute(req: ExecuteTool): Promise<ToolExecuted> {
    const key = `${req.runId}:${req.callId}`;
    const running = this.inFlight.get(key);
    if (running) return this.eventsAfter(req, (await running).seq);
    const work = (req.resume ? this.slowPath(req) : this.fastPath(req)).finally(() =>
      this.inFlight.delete(key),
    );
    this.inFlight.set(key, work);
    return work;
  }

  private specOf(req: ExecuteTool): { release?: AgentRelease; spec?: ToolSpec } {
    const release = this.agents.get(req.agent);
    return { release, spec: release?.spec.tools.find((t) => t.name === req.tool) };
  }

  private plan(req: ExecuteTool): CallPlan {
    const { release, spec } = this.specOf(req);
    if (!release || !spec)
      return {
        release,
        spec,
        permission: { effect: 'deny', rule: DEFAULT_DENY, needsApproval: false, draft: false },
      };
    return {
      release,
      spec,
      handler: this.tools.resolve(spec, release),
      permission: callPolicy(release.spec, req.roles, spec, req.args),
    };
  }

  private async gate(req: ExecuteTool, plan: CallPlan): Promise<Gate> {
    const { spec, permission } = plan;
    const needsApproval = permission.needsApproval || spec?.tier === Tier.Irreversible;
    const gate = gateToolCall({
      tool: req.tool,
      declared: spec,
      implemented: plan.handler !== undefined,
      mode: req.mode,
      argProblems: spec ? this.validateArgs(spec, req.args) : [],
      capProblems: capProblems(spec?.caps, req.args),
      // The orchestrator blocked these already; checked again here, where the effect happens.
      blockedBy: plan.release
        ? checkToolArgs(guardrailsOf(plan.release.spec), req.tool, req.args).triggers.map(
            (t) => t.ruleId,
          )
        : [],
      permission,
      approved: needsApproval ? await this.isApproved(req) : false,
      switchedOff: this.switches.disabled(req.tenantId, req.tool),
    });
    if (gate.verdict === 'deny' || gate.dryRun || !(spec?.rateLimit || spec?.tenantRateLimit)) {
      return gate;
    }
    const user = parseRateLimit(spec.rateLimit);
    const tenant = parseRateLimit(spec.tenantRateLimit);
    const verdict = await this.limiter.take({
      tenantId: req.tenantId,
      userId: req.userId,
      tool: req.tool,
      ...(user && { user }),
      ...(tenant && { tenant }),
    });
    if (verdict.allowed) return gate;
    const limit = verdict.scope === 'user' ? spec.rateLimit : spec.tenantRateLimit;
    return {
      verdict: 'deny',
      reason: ReasonCode.RateLimited,
      message: `${req.tool} is rate-limited (${limit} per ${verdict.scope}); try again in ${Math.ceil(verdict.retryAfterMs / 1000)} s`,
    };
  }

  /** The log holds a granted approval for this very call (verified here, not taken on trust). */
  private async isApproved(req: ExecuteTool): Promise<boolean> {
    const state = fold((await this.store.read(req.tenantId, req.runId)).map((s) => s.event));
    const call = state.pendingCalls.find((c) => c.callId === req.callId);
    return call?.status === 'requested' && call.approvalId !== undefined;
  }

  private async fastPath(req: ExecuteTool, depth = 0, attempt = 1): Promise<ToolExecuted> {
    const plan = this.plan(req);
    const gate = await this.gate(req, plan);
    const meta = {
      runId: req.runId,
      tenantId: req.tenantId,
      source: this.source,
      causationId: req.causationId,
    };

    if (gate.verdict === 'deny') {
      const [denied] = toEnvelopes(
        [
          {
            type: 'tool.denied',
            data: {
              callId: req.callId,
              tool: req.tool,
              reason: gate.reason,
              message: redactText(gate.message).text,
              ...(gate.rule !== undefined && { rule: gate.rule }),
            },
          },
        ],
        meta,
      );
      return this.appendOrRecover(req, denied, depth);
    }

    const spec = plan.spec!;
    const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = new Date(Date.now() + timeoutMs).toISOString();
    const idempotencyKey = `${req.runId}:${req.callId}`;
    const [started] = toEnvelopes(
      [
        {
          type: 'tool.started',
          data: {
            callId: req.callId,
            tool: req.tool,
            attempt,
            idempotencyKey,
            deadline,
            dryRun: gate.dryRun,
          },
        },
      ],
      meta,
    );
    const run = () =>
      gate.dryRun
        ? Promise.resolve(dryRunOutcome(req))
        : this.invoker.invoke(
            spec,
            plan.handler!,
            req.args,
            {
              tenantId: req.tenantId,
              runId: req.runId,
              userId: req.userId,
              callId: req.callId,
              idempotencyKey,
            },
            timeoutMs,
          );
    // A read-only tool has no effect to protect, so it may run while its start is being recorded
    // (its result is discarded if the start loses a race), and its outcome may be sent right
    // behind the start. Any other tool runs only after `tool.started` is in the log: that record
    // is what makes its effect at most once.
    const early = spec.tier === Tier.ReadOnly ? run() : undefined;
    const starting = this.store.send(started, req.expectedSeq);
    // When another writer moved the run first, the log answers the request instead.
    const lostStart = async (): Promise<ToolExecuted | undefined> => {
      try {
        await starting.seq;
        return undefined;
      } catch (err) {
        if (isErrorNamed(err, 'ConcurrencyError')) return this.slowPath(req, depth + 1);
        throw err;
      }
    };
    // Any other tool waits for its start; a read-only one for whichever comes first, its result
    // or its start failing (then the slow path answers without waiting for the tool).
    const startFailed = starting.seq.then(
      () => false,
      () => true,
    );
    const toolDone = early?.then(
      () => false,
      () => false,
    );
    if (!toolDone || (await Promise.race([startFailed, toolDone]))) {
      const answer = await lostStart();
      if (answer) return answer;
    }

    // Redacted before it is logged or stored: only the tool ever sees the real values.
    const screened = screenResult(
      withCost(redactOutcome(await (early ?? run())), req.reservation),
      plan.release,
    );
    const outcome = screened.outcome;
    if (outcome.type === 'tool.failed') {
      this.logger.warn(
        { runId: req.runId, tool: req.tool, reason: outcome.data.reason, err: outcome.data.error },
        'tool call failed',
      );
    }
    const [finished] = toEnvelopes([outcome], { ...meta, causationId: started.id });
    // Behind a start still in flight only when no other call is in hand: with others, their
    // events would nearly always come between, and the outcome be sent twice.
    if (this.inFlight.size > 1) {
      const answer = await lostStart();
      if (answer) return answer;
    }
    const finishing = this.store.send(finished, starting);
    const answer = await lostStart();
    if (answer) return answer;
    let seq: number;
    try {
      seq = await finishing.seq;
    } catch (err) {
      if (!isErrorNamed(err, 'ConcurrencyError')) throw err;
      seq = await this.appendFact(finished, starting.known!);
    }
    // The verdict travels in `tool.completed` itself; these records follow it for the audit.
    const triggers = toEnvelopes(screened.triggers, { ...meta, causationId: finished.id });
    for (const t of triggers) seq = await this.appendFact(t, seq);
    return { seq, events: [started, finished, ...triggers] };
  }

  /** A tool's outcome is a fact: it is recorded even if the run moved on meanwhile (cancelled, timed out). */
  private async appendFact(event: TetherEvent, expectedSeq: number): Promise<number> {
    let expected = expectedSeq;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.store.append(event, expected)).seq;
      } catch (err) {
        if (!isErrorNamed(err, 'ConcurrencyError') || attempt >= MAX_CONFLICTS) throw err;
        expected = await this.store.lastSeq(event.tenantId, event.runId);
      }
    }
  }

  private async appendOrRecover(
    req: ExecuteTool,
    event: TetherEvent,
    depth: number,
  ): Promise<ToolExecuted> {
    try {
      const { seq } = await this.store.append(event, req.expectedSeq);
      return { seq, events: [event] };
    } catch (err) {
      if (isErrorNamed(err, 'ConcurrencyError')) return this.slowPath(req, depth + 1);
      throw err;
    }
  }

  /**
   * The run moved since the orchestrator looked. Answer from the log: the call already finished,
   * is still pending (retry), or was started by a worker that may have died. Then wait for its
   * deadline; after it, a call that is safe to repeat runs again as a new attempt, and any
   * other gets `unknown_outcome` and is never run again on its own.
   */
  private async slowPath(req: ExecuteTool, depth = 0): Promise<ToolExecuted> {
    while (true) {
      const stored = await this.store.read(req.tenantId, req.runId);
      const state = fold(stored.map((s) => s.event));
      const last = stored.at(-1)?.seq ?? 0;
      const lastId = stored.at(-1)?.event.id;
      const call = state.pendingCalls.find((c) => c.callId === req.callId);
      if (!call || isTerminal(state)) {
        return {
          seq: last,
          events: stored.filter((s) => s.seq > req.expectedSeq).map((s) => s.event),
        };
      }
      const retryable = depth < MAX_CONFLICTS;
      if (call.status === 'requested' && retryable) {
        const retried = await this.fastPath(
          { ...req, expectedSeq: last, causationId: lastId ?? req.causationId },
          depth,
        );
        return this.eventsAfter(req, retried.seq);
      }
      const due = call.deadline ? Date.parse(call.deadline) + DEADLINE_GRACE_MS : 0;
      if (call.status === 'started' && due > Date.now()) {
        await new Promise((r) => setTimeout(r, Math.min(250, due - Date.now())));
        continue;
      }
      const { spec } = this.specOf(req);
      // Redacted arguments are not the call's: a re-run with them would be a different call.
      const realArgs = !call.redacted || JSON.stringify(req.args) !== JSON.stringify(call.args);
      if (call.status === 'started' && safeToRepeat(spec) && realArgs && retryable) {
        const again = await this.fastPath(
          { ...req, expectedSeq: last, causationId: lastId ?? req.causationId },
          depth + 1,
          call.attempt + 1,
        );
        return this.eventsAfter(req, again.seq);
      }
      const [failed] = toEnvelopes(
        [
          {
            type: 'tool.failed',
            data: {
              callId: req.callId,
              tool: req.tool,
              reason: ReasonCode.UnknownOutcome,
              error: 'the worker running this call stopped before recording its outcome',
              retryable: false,
            },
          },
        ],
        { runId: req.runId, tenantId: req.tenantId, source: this.source, causationId: lastId },
      );
      const seq = await this.appendFact(failed, last);
      return {
        seq,
        events: [...stored.filter((s) => s.seq > req.expectedSeq).map((s) => s.event), failed],
      };
    }
  }

  /** The run's events after the requester's sequence, up to `seq` (read from the log). */
  private async eventsAfter(req: ExecuteTool, seq: number): Promise<ToolExecuted> {
    const log = await this.store.read(req.tenantId, req.runId, req.expectedSeq);
    const events = log.filter((s) => s.seq <= seq).map((s) => s.event);
    return { seq, events };
  }
}

/** A priced tool's completion carries what it cost (nothing for a dry run) and the hold it settles. */
function withCost(outcome: Decided, reservation: ExecuteTool['reservation']): Decided {
  if (outcome.type !== 'tool.completed' || !reservation) return outcome;
  const costUsd = outcome.data.dryRun ? 0 : reservation.amountUsd;
  return { ...outcome, data: { ...outcome.data, costUsd, reservationId: reservation.id } };
}

/**
 * What the log may hold of an outcome: the tool got the real values and answered with real
 * data; secrets and personal data in its result or error stop here.
 */
function redactOutcome(outcome: Decided): Decided {
  if (outcome.type === 'tool.completed') {
    return { ...outcome, data: { ...outcome.data, result: redact(outcome.data.result).value } };
  }
  if (outcome.type === 'tool.failed') {
    return { ...outcome, data: { ...outcome.data, error: redactText(outcome.data.error).text } };
  }
  return outcome;
}

/**
 * Reads a result with the agent's injection rules: a match is marked on `tool.completed` (what the
 * model sees of it follows from the mark) and recorded as `guardrail.triggered` events.
 */
function screenResult(
  outcome: Decided,
  release: AgentRelease | undefined,
): { outcome: Decided; triggers: Decided[] } {
  if (outcome.type !== 'tool.completed' || outcome.data.dryRun) return { outcome, triggers: [] };
  const check = checkToolResult(guardrailsOf(release?.spec), outcome.data.result);
  if (check.verdict === 'pass') return { outcome, triggers: [] };
  const { callId } = outcome.data;
  return {
    outcome: {
      ...outcome,
      data: {
        ...outcome.data,
        guardrail: { action: check.verdict, rules: check.triggers.map((t) => t.ruleId) },
      },
    },
    triggers: check.triggers.map((t) => ({
      type: 'guardrail.triggered' as const,
      data: { ...t, callId },
    })),
  };
}

function dryRunOutcome(req: ExecuteTool): Decided {
  return {
    type: 'tool.completed',
    data: {
      callId: req.callId,
      tool: req.tool,
      result: { dryRun: true, wouldCall: req.tool, args: req.args },
      latencyMs: 0,
      dryRun: true,
    },
  };
}
