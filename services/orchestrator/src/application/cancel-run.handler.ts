import { Inject, Injectable } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import type { JsMsg } from 'nats';
import { CommandName, ReasonCode, parseCommand, parseJson } from '@tether/contracts';
import { isErrorNamed } from '@tether/errors';
import { decide } from '@tether/run-domain';
import { CommandRejections, InjectTracer, inRunTrace } from '@tether/service-kit';
import { CLOCK, type Clock } from './ports';
import { RunRepository } from './run.repository';

const MAX_CONFLICTS = 5;

/** `run.cancel`: appends `run.cancelled`; the run's driver sees it at its next append and stops. */
@Injectable()
export class CancelRunHandler {
  constructor(
    private readonly runs: RunRepository,
    private readonly rejections: CommandRejections,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectTracer() private readonly tracer: Tracer,
  ) {}

  async handle(msg: JsMsg): Promise<void> {
    const { tenantId, reject } = this.rejections.contextOf(msg);
    if (!tenantId)
      return reject(ReasonCode.InvalidCommand, 'the tenant in the subject is not a valid id');
    const json = parseJson(msg.data);
    const parsed = json.ok ? parseCommand(CommandName.RunCancel, json.value) : json;
    if (!parsed.ok) return reject(ReasonCode.InvalidCommand, parsed.problems.join('; '));
    const { runId, requestedBy, reason } = parsed.value;

    let run = await this.runs.load(tenantId, runId);
    if (run.seq === 0) return reject('unknown_run', `run ${runId} does not exist`);
    await inRunTrace(this.tracer, CommandName.RunCancel, run, async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const decided = decide({ type: 'CancelRun', requestedBy, reason }, run.state, {
            now: this.clock.now().toISOString(),
          });
          await this.runs.append(run, decided, this.clock.now());
          return;
        } catch (err) {
          if (isErrorNamed(err, 'IllegalStateError'))
            return reject('run_finished', `run ${runId} has already finished`);
          if (!isErrorNamed(err, 'ConcurrencyError') || attempt >= MAX_CONFLICTS) throw err;
        }
        run = await this.runs.load(tenantId, runId);
      }
    });
  }
}
