import { Inject, Injectable } from '@nestjs/common';
import { createToolArgsValidator } from '@tether/agents';
import type { Logger } from 'pino';
import {
  ReasonCode,
  Tier,
  type ExecuteTool,
  type TetherEvent,
  type ToolExecuted,
} from '@tether/contracts';
import { isErrorNamed } from '@tether/errors';
import { EventStore, toEnvelopes, type Decided } from '@tether/event-store';
import { fold } from '@tether/run-domain';
import { InjectConfig, InjectLogger, type BaseConfig } from '@tether/service-kit';
import { gateToolCall } from '../domain/tool-gate.policy';
import type { ToolHandler } from '../domain/tool-handler';
import { AGENTS, type AgentRegistry } from './ports';
import { ToolResolver } from './tool-resolver';

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_CONFLICTS = 5;

/**
 * Runs one requested call at most once. Fast path: append `tool.started` expecting the
 * orchestrator's sequence (success proves the call is still pending and nobody started it),
 * run the tool, append its outcome. Any conflict sends the request to the slow path, which
 * reads the log and answers from what it holds.
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
    @InjectConfig() config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.source = `${config.service}@${config.version}`;
  }

  async handle(req: ExecuteTool): Promise<ToolExecuted> {
    const key = `${req.runId}:${req.callId}`;
    const running = this.inFlight.get(key);
    if (running) return this.eventsAfter(req, (await running).seq);
    const work = (req.resume ? this.slowPath(req) : this.fastPath(req)).finally(() =>
      this.inFlight.delete(key),
    );
    this.inFlight.set(key, work);
    return work;
  }

  private async fastPath(req: ExecuteTool, depth = 0): Promise<ToolExecuted> {
    const release = this.agents.get(req.agent);
    const spec = release?.spec.tools.find((t) => t.name === req.tool);
    const handler = spec && release ? this.tools.resolve(spec, release) : undefined;
    const gate = gateToolCall({
      tool: req.tool,
      declared: spec,
      implemented: handler !== undefined,
      mode: req.mode,
      approved: false,
      argProblems: spec ? this.validateArgs(spec, req.args) : [],
    });
    const timeoutMs = spec?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
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
              message: gate.message,
            },
          },
        ],
        meta,
      );
      return this.appendOrRecover(req, denied, depth);
    }

    const deadline = new Date(Date.now() + timeoutMs).toISOString();
    const idempotencyKey = `${req.runId}:${req.callId}`;
    const [started] = toEnvelopes(
      [
        {
          type: 'tool.started',
          data: {
            callId: req.callId,
            tool: req.tool,
            attempt: 1,
            idempotencyKey,
            deadline,
            dryRun: gate.dryRun,
          },
        },
      ],
      meta,
    );
    // A read-only tool has no effect to protect, so it may run while its start is being recorded
    // (its result is discarded if the start loses a race). Any other tool runs only after
    // `tool.started` is in the log: that record is what makes its effect at most once.
    const overlap = req.tier === Tier.ReadOnly;
    const early = overlap
      ? this.run(req, handler!, idempotencyKey, timeoutMs, gate.dryRun)
      : undefined;
    let startedSeq: number;
    try {
      startedSeq = (await this.store.append(started, req.expectedSeq)).seq;
    } catch (err) {
      if (isErrorNamed(err, 'ConcurrencyError')) return this.slowPath(req, depth + 1);
      throw err;
    }

    const outcome = await (early ??
      this.run(req, handler!, idempotencyKey, timeoutMs, gate.dryRun));
    const [finished] = toEnvelopes([outcome], { ...meta, causationId: started.id });
    const seq = await this.appendFact(finished, startedSeq);
    return { seq, events: [started, finished] };
  }

  private async run(
    req: ExecuteTool,
    handler: ToolHandler,
    idempotencyKey: string,
    timeoutMs: number,
    dryRun: boolean,
  ): Promise<Decided> {
    const t0 = performance.now();
    const base = { callId: req.callId, tool: req.tool };
    if (dryRun) {
      return {
        type: 'tool.completed',
        data: {
          ...base,
          result: { dryRun: true, wouldCall: req.tool, args: req.args },
          latencyMs: 0,
          dryRun: true,
        },
      };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const result = await Promise.race([
        handler(req.args, {
          tenantId: req.tenantId,
          runId: req.runId,
          userId: req.userId,
          callId: req.callId,
          idempotencyKey,
          signal: controller.signal,
        }),
        new Promise((_, reject) =>
          controller.signal.addEventListener('abort', () =>
            reject(
              Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: 'ToolTimeout' }),
            ),
          ),
        ),
      ]);
      return {
        type: 'tool.completed',
        data: { ...base, result: result ?? null, latencyMs: performance.now() - t0, dryRun: false },
      };
    } catch (err) {
      const e = err as { name?: string; message?: string; reason?: string };
      const refusal = e?.name === 'ToolRefusal';
      const reason = refusal
        ? (e.reason ?? ReasonCode.InvalidArguments)
        : e?.name === 'ToolTimeout'
          ? ReasonCode.Timeout
          : ReasonCode.ToolError;
      if (!refusal)
        this.logger.warn({ runId: req.runId, tool: req.tool, err: e?.message }, 'tool failed');
      return {
        type: 'tool.failed',
        data: {
          ...base,
          reason,
          error: e?.message ?? String(err),
          retryable: false,
          latencyMs: performance.now() - t0,
        },
      };
    } finally {
      clearTimeout(timer);
    }
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
   * is still pending (retry), or was started by a worker that may have died (wait for its deadline,
   * then its outcome is unknown and it is never run again on its own).
   */
  private async slowPath(req: ExecuteTool, depth = 0): Promise<ToolExecuted> {
    while (true) {
      const stored = await this.store.read(req.tenantId, req.runId);
      const state = fold(stored.map((s) => s.event));
      const last = stored.at(-1)?.seq ?? 0;
      const call = state.pendingCalls.find((c) => c.callId === req.callId);
      if (
        !call ||
        state.status === 'completed' ||
        state.status === 'failed' ||
        state.status === 'aborted' ||
        state.status === 'cancelled'
      ) {
        return {
          seq: last,
          events: stored.filter((s) => s.seq > req.expectedSeq).map((s) => s.event),
        };
      }
      if (call.status === 'requested' && depth < MAX_CONFLICTS) {
        const retried = await this.fastPath(
          { ...req, expectedSeq: last, causationId: stored.at(-1)!.event.id },
          depth,
        );
        return this.eventsAfter(req, retried.seq);
      }
      if (call.status === 'started' && call.deadline && Date.parse(call.deadline) > Date.now()) {
        await new Promise((r) =>
          setTimeout(r, Math.min(250, Date.parse(call.deadline!) - Date.now())),
        );
        continue;
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
        {
          runId: req.runId,
          tenantId: req.tenantId,
          source: this.source,
          causationId: stored.at(-1)?.event.id,
        },
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
    const log = await this.store.read(req.tenantId, req.runId);
    const events = log.filter((s) => s.seq > req.expectedSeq && s.seq <= seq).map((s) => s.event);
    return { seq, events };
  }
}
