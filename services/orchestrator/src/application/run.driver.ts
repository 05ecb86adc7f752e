import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { createToolArgsValidator } from '@tether/agents';
import { ReasonCode, TOOL_EXECUTOR, type ExecuteTool, type ToolExecuted } from '@tether/contracts';
import { isErrorNamed } from '@tether/errors';
import { requestService } from '@tether/event-store';
import { isModelError, priceOfReply, type ModelRouter } from '@tether/models';
import {
  Messages,
  decide,
  isActive,
  nextAction,
  type ActiveRun,
  type PendingCall,
} from '@tether/run-domain';
import { InjectConfig, InjectLogger, InjectNats } from '@tether/service-kit';
import type { AgentRelease } from '@tether/contracts';
import type { OrchestratorConfig } from '../config';
import {
  DEFAULT_ATTEMPT_POLICY,
  modelChain,
  modelForAttempt,
  retryDelayMs,
  totalAttempts,
  type AttemptPolicy,
} from '../domain/model-attempt.policy';
import { modelReservation, toolReservation } from '../domain/budget-request';
import {
  AGENTS,
  BUDGET,
  CLOCK,
  MODELS,
  type AgentRegistry,
  type BudgetPort,
  type Clock,
} from './ports';

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
import { OriginalArgs } from './original-args';
import { RunRepository, type LoadedRun } from './run.repository';

const MAX_CONFLICTS = 5;
/** Margin over a tool's own timeout before the orchestrator stops waiting for the executor's answer. */
const TOOL_REPLY_MARGIN_MS = 5_000;

/**
 * Drives one run until it finishes or has to wait (a human, a slow tool). Holds nothing the log
 * cannot rebuild: every decision is appended with the run's last sequence as the expected one,
 * and a conflict means another writer moved the run, so reload and decide again.
 */
@Injectable()
export class RunDriver {
  private readonly attempts: AttemptPolicy;
  private readonly validateArgs = createToolArgsValidator();
  private readonly originals = new OriginalArgs();

  constructor(
    private readonly runs: RunRepository,
    @Inject(AGENTS) private readonly agents: AgentRegistry,
    @Inject(MODELS) private readonly models: ModelRouter,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BUDGET) private readonly budget: BudgetPort,
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: OrchestratorConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.attempts = { ...DEFAULT_ATTEMPT_POLICY, attemptsPerModel: config.modelMaxAttempts };
  }

  async drive(start: LoadedRun): Promise<LoadedRun> {
    let run = start;
    let conflicts = 0;
    while (true) {
      const action = nextAction(run.state);
      if (action.kind === 'finished' || (action.kind === 'wait' && action.reason === 'approval'))
        return run;
      try {
        if (action.kind === 'call_model') run = await this.modelTurn(run);
        else if (action.kind === 'execute_tool') run = await this.executeTool(run, action.call);
        else if (action.kind === 'request_approval')
          run = await this.append(run, { type: 'RequestApproval', callId: action.call.callId });
        else if (action.kind === 'escalate') run = await this.append(run, { type: 'Escalate' });
        else run = await this.awaitTool(run);
        conflicts = 0;
      } catch (err) {
        if (!isErrorNamed(err, 'ConcurrencyError') || ++conflicts > MAX_CONFLICTS) throw err;
        run = await this.runs.load(run.tenantId, run.runId);
      }
    }
  }

  /**
   * 1. pick the model of this attempt (the agent's, then its fallbacks) and decide the call
   * (limits first), 2. call it, 3. decide on its answer — or record the failure and, when the
   * run may try again, wait before the next attempt.
   */
  private async modelTurn(run: LoadedRun): Promise<LoadedRun> {
    const release = this.releaseOf(run);
    const chain = modelChain(release.spec.model, release.spec.fallbacks);
    const model = modelForAttempt(chain, run.state.modelAttempt + 1, this.attempts);
    const request = { type: 'RequestModel' as const, provider: model.provider, model: model.id };
    let decided = this.decide(run, request, release);
    // Only a call that will be made is paid for: a limit that ends the run first needs no hold.
    const reservation =
      this.config.budget.enforce && decided.some((e) => e.type === 'model.requested')
        ? modelReservation(run.state as ActiveRun, model, release.spec, this.config.prices)
        : undefined;
    if (reservation) {
      decided = this.decide(
        run,
        { ...request, budget: await this.budget.reserve(reservation) },
        release,
      );
    }
    run = await this.runs.append(run, decided, this.clock.now());
    if (!isActive(run.state)) return run;
    const state = run.state;
    try {
      const reply = await this.models.complete({
        runId: run.runId,
        tenantId: run.tenantId,
        step: state.step + 1,
        attempt: state.modelAttempt,
        model,
        instructions: release.spec.instructions,
        transcript: state.transcript,
        tools: release.spec.tools,
      });
      const costUsd = priceOfReply(model, reply, this.config.prices) ?? 0;
      (reply.toolCalls ?? []).forEach((call, i) =>
        this.originals.remember(run.runId, `call_${state.step + 1}_${i}`, call.args),
      );
      const argProblems: Record<number, string[]> = {};
      (reply.toolCalls ?? []).forEach((call, i) => {
        const tool = release.spec.tools.find((t) => t.name === call.name);
        const problems = tool ? this.validateArgs(tool, call.args) : [];
        if (problems.length) argProblems[i] = problems;
      });
      return this.runs.append(
        run,
        this.decide(
          run,
          { type: 'RecordModelResponse', response: { ...reply, costUsd }, argProblems },
          release,
        ),
        this.clock.now(),
      );
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.logger.warn(
        { runId: run.runId, model: model.id, attempt: state.modelAttempt, err: err.message },
        'model call failed',
      );
      const failure = {
        type: 'RecordModelFailure' as const,
        model: model.id,
        error: err.message,
        retryable: err.retryable,
        maxAttempts: totalAttempts(chain, this.attempts),
      };
      const after = await this.runs.append(
        run,
        this.decide(run, failure, release),
        this.clock.now(),
      );
      if (isActive(after.state)) {
        const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
        await sleep(retryDelayMs(state.modelAttempt, retryAfterMs, Math.random(), this.attempts));
      }
      return after;
    }
  }

  private async executeTool(run: LoadedRun, call: PendingCall): Promise<LoadedRun> {
    const state = run.state;
    if (!isActive(state)) return run;
    const release = this.releaseOf(run);
    const spec = release.spec.tools.find((t) => t.name === call.tool);
    const args = this.originals.argsFor(run.runId, call);
    if (args === undefined && call.status === 'requested') {
      return this.append(run, {
        type: 'DenyToolCall',
        callId: call.callId,
        reason: ReasonCode.ArgsUnavailable,
        message: Messages.argsUnavailable(call.tool),
      });
    }
    const request: ExecuteTool = {
      tenantId: run.tenantId,
      runId: run.runId,
      callId: call.callId,
      tool: call.tool,
      tier: call.tier,
      // A started call is only resolved from the log; its arguments matter only for a re-run.
      args: args ?? call.args,
      expectedSeq: run.seq,
      agent: state.agent,
      release: state.release,
      userId: state.userId,
      roles: state.roles,
      mode: state.mode,
      causationId: run.lastEventId ?? '',
      resume: call.status === 'started',
    };
    if (call.status === 'requested' && !call.reservation && this.config.budget.enforce) {
      const reservation = toolReservation(state as ActiveRun, call, this.config.prices);
      if (reservation) {
        const budget = await this.budget.reserve(reservation);
        return this.append(run, { type: 'ReserveToolCall', callId: call.callId, budget });
      }
    }
    if (call.reservation) request.reservation = call.reservation;
    const timeout = (spec?.timeoutMs ?? 30_000) + TOOL_REPLY_MARGIN_MS;
    const reply = await requestService<ToolExecuted>(
      this.nc,
      this.config.prefix,
      TOOL_EXECUTOR.service,
      TOOL_EXECUTOR.execute,
      request,
      timeout,
    );
    return this.runs.advanceReported(run, reply.events, reply.seq);
  }

  /** A call was started before this worker took the run over: its outcome is in the log, or will be. */
  private async awaitTool(run: LoadedRun): Promise<LoadedRun> {
    const call = run.state.pendingCalls.find((c) => c.status === 'started');
    if (!call) return this.runs.load(run.tenantId, run.runId);
    return this.executeTool(run, call);
  }

  private append(run: LoadedRun, command: Parameters<typeof decide>[0]): Promise<LoadedRun> {
    return this.runs.append(run, this.decide(run, command, this.releaseOf(run)), this.clock.now());
  }

  private decide(run: LoadedRun, command: Parameters<typeof decide>[0], release: AgentRelease) {
    return decide(command, run.state, { now: this.clock.now().toISOString(), release });
  }

  /** The run's own release: a run keeps the agent version it started with. */
  private releaseOf(run: LoadedRun): AgentRelease {
    const state = run.state;
    const release = state.agent ? this.agents.get(state.agent) : undefined;
    if (!release || release.release !== state.release) {
      throw Object.assign(
        new Error(`release ${state.release} of agent ${state.agent} is not loaded`),
        { name: 'ReleaseUnavailableError' },
      );
    }
    return release;
  }
}
