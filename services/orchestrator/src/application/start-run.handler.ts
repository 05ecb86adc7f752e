import { Inject, Injectable } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import type { JsMsg } from 'nats';
import {
  CommandName,
  RUN_ID_PATTERN,
  ReasonCode,
  parseCommand,
  parseJson,
} from '@tether/contracts';
import { isErrorNamed } from '@tether/errors';
import { decide } from '@tether/run-domain';
import {
  CommandRejections,
  InjectTracer,
  inRunTrace,
  type CommandContext,
} from '@tether/service-kit';
import { InputClassifier } from './input-classifier';
import { AGENTS, CLOCK, type AgentRegistry, type Clock } from './ports';
import { RunDeadlineHandler } from './run-deadline.handler';
import { RunDriver } from './run.driver';
import { RunRepository, type LoadedRun } from './run.repository';

/**
 * `run.start`: 1. parse (a bad command becomes `run.rejected` on its run, or `command.rejected`
 * when it names no usable run), 2. decide and append `run.started` as the run's first event,
 * 3. drive the run. A redelivered start (this worker's predecessor died) resumes the run. All of
 * it in the run's span: `run.started` records its context, the trace of the whole run.
 */
@Injectable()
export class StartRunHandler {
  constructor(
    private readonly runs: RunRepository,
    private readonly driver: RunDriver,
    private readonly rejections: CommandRejections,
    private readonly deadlines: RunDeadlineHandler,
    private readonly classifier: InputClassifier,
    @Inject(AGENTS) private readonly agents: AgentRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectTracer() private readonly tracer: Tracer,
  ) {}

  async handle(msg: JsMsg): Promise<void> {
    const ctx = this.rejections.contextOf(msg);
    const { tenantId, reject } = ctx;
    if (!tenantId)
      return reject(ReasonCode.InvalidCommand, 'the tenant in the subject is not a valid id');
    const json = parseJson(msg.data);
    if (!json.ok) return reject(ReasonCode.InvalidCommand, json.problems.join('; '));
    const named = (json.value as { runId?: unknown } | null)?.runId;
    const runId = typeof named === 'string' && RUN_ID_PATTERN.test(named) ? named : undefined;
    // A redelivered start joins the trace its first delivery began, if that reached the log.
    const traceparent =
      runId && msg.info.redeliveryCount > 1
        ? await this.runs.traceparentOf(tenantId, runId)
        : undefined;
    await inRunTrace(this.tracer, CommandName.RunStart, { tenantId, runId, traceparent }, () =>
      this.start(msg, json.value, { ...ctx, tenantId }, runId),
    );
  }

  private async start(
    msg: JsMsg,
    body: unknown,
    { tenantId, requestId, reject }: CommandContext & { tenantId: string },
    runId: string | undefined,
  ): Promise<void> {
    const parsed = parseCommand(CommandName.RunStart, body);
    const now = this.clock.now();

    if (!parsed.ok) {
      if (runId === undefined) {
        return reject(
          ReasonCode.InvalidCommand,
          `run.start names no valid runId: ${parsed.problems.join('; ')}`,
        );
      }
      const rejected = [
        {
          type: 'run.rejected' as const,
          data: {
            outcome: 'failed' as const,
            reason: ReasonCode.InvalidCommand,
            message: 'The request was not valid.',
            problems: parsed.problems,
            requestId,
          },
        },
      ];
      await this.appendFirst(
        this.runs.empty(tenantId, runId),
        rejected,
        now,
        requestId,
        msg,
        reject,
      );
      return;
    }

    const command = parsed.value;
    const run = this.runs.empty(tenantId, command.runId);
    const release = this.agents.get(command.agent);
    const decided = decide(
      {
        type: 'StartRun',
        command,
        tenantId,
        requestId,
        release,
        classification: await this.classifier.classify(release, {
          tenantId,
          runId: command.runId,
          userId: command.userId,
          input: command.input,
        }),
      },
      run.state,
      { now: now.toISOString() },
    );
    const started = await this.appendFirst(run, decided, now, requestId, msg, reject);
    if (!started) return;
    // A driven run meets its deadline at its next model call; one that parks (waiting for a
    // human) gets a durable timer instead, so nothing on the hot path pays for it.
    const after = await this.driver.drive(started);
    await this.deadlines.schedule(after);
  }

  /** Appends a run's first events; if the run exists, resumes it when it is this same request. */
  private async appendFirst(
    run: LoadedRun,
    decided: Parameters<RunRepository['append']>[1],
    now: Date,
    requestId: string | undefined,
    msg: JsMsg,
    reject: (reason: string, message: string) => Promise<void>,
  ): Promise<LoadedRun | undefined> {
    try {
      return await this.runs.append(run, decided, now);
    } catch (err) {
      if (!isErrorNamed(err, 'ConcurrencyError')) throw err;
      const existing = await this.runs.load(run.tenantId, run.runId);
      if (requestId && existing.state.requestId === requestId) return existing;
      if (!requestId && msg.info.redeliveryCount > 1) return existing;
      await reject(ReasonCode.DuplicateRun, `run ${run.runId} already exists`);
      return undefined;
    }
  }
}
