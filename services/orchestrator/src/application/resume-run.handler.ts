import { Injectable } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import type { JsMsg } from 'nats';
import { RUN_RESUME, ReasonCode, RunResume, parseAs, parseJson } from '@tether/contracts';
import { isActive } from '@tether/run-domain';
import { CommandRejections, InjectTracer, inRunTrace } from '@tether/service-kit';
import { RunDeadlineHandler } from './run-deadline.handler';
import { RunDriver } from './run.driver';
import { RunRepository } from './run.repository';

/**
 * `run.resume`: something a parked run waited for is in its log (a human decided, an approval
 * expired). Drive it again, then set its deadline: the clock, stopped while it waited for a
 * human, runs again from here. A run with nothing to do, or already ended, is left as it is.
 */
@Injectable()
export class ResumeRunHandler {
  constructor(
    private readonly runs: RunRepository,
    private readonly driver: RunDriver,
    private readonly rejections: CommandRejections,
    private readonly deadlines: RunDeadlineHandler,
    @InjectTracer() private readonly tracer: Tracer,
  ) {}

  async handle(msg: JsMsg): Promise<void> {
    const { tenantId, reject } = this.rejections.contextOf(msg);
    if (!tenantId)
      return reject(ReasonCode.InvalidCommand, 'the tenant in the subject is not a valid id');
    const json = parseJson(msg.data);
    const parsed = json.ok ? parseAs(RunResume, json.value) : json;
    if (!parsed.ok) return reject(ReasonCode.InvalidCommand, parsed.problems.join('; '));
    const run = await this.runs.load(tenantId, parsed.value.runId);
    if (run.seq === 0) return reject('unknown_run', `run ${parsed.value.runId} does not exist`);
    if (!isActive(run.state)) return;
    await inRunTrace(this.tracer, RUN_RESUME, run, async () => {
      const after = await this.driver.drive(run);
      await this.deadlines.schedule(after);
    });
  }
}
