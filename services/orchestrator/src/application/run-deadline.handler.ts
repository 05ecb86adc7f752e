import { Inject, Injectable } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import type { JsMsg, NatsConnection } from 'nats';
import {
  RunDeadline,
  TIMER,
  isToken,
  parseAs,
  parseCommandSubject,
  parseJson,
  subjects,
} from '@tether/contracts';
import { ValidationError, isErrorNamed } from '@tether/errors';
import { RetryLaterError, encodeJson } from '@tether/event-store';
import { deadlineOf, decide, isActive } from '@tether/run-domain';
import {
  InjectConfig,
  InjectNats,
  InjectTracer,
  inRunTrace,
  type BaseConfig,
} from '@tether/service-kit';
import { CLOCK, type Clock } from './ports';
import { RunRepository, type LoadedRun } from './run.repository';

const MAX_CONFLICTS = 5;

/**
 * Wall-clock deadlines that survive restarts. A run being driven meets its deadline before each
 * model call; a run that parks gets a message in `_CMD`, held back by the timer consumer until it
 * is due; then the run, if still going, is aborted with reason `timeout`.
 */
@Injectable()
export class RunDeadlineHandler {
  constructor(
    private readonly runs: RunRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    @InjectTracer() private readonly tracer: Tracer,
  ) {}

  /**
   * Sets the deadline of a run that is parked (still going, nobody driving it): idempotent per
   * run and due time. A run waiting for a human gets none: its clock is stopped until the
   * decision resumes it, and the resumed run gets a new one, later by the time it waited.
   */
  async schedule(run: LoadedRun): Promise<void> {
    const state = run.state;
    if (!isActive(state)) return;
    const dueAt = deadlineOf(state);
    if (dueAt === undefined) return;
    const body: RunDeadline = { runId: run.runId, dueAt };
    await this.nc
      .jetstream()
      .publish(subjects.runDeadline(this.config.prefix, run.tenantId), encodeJson(body), {
        msgID: `deadline:${run.runId}:${dueAt}`,
      });
  }

  async handle(msg: JsMsg): Promise<void> {
    const tenantId = parseCommandSubject(this.config.prefix, msg.subject)?.tenant ?? '';
    const json = parseJson(msg.data);
    const parsed = json.ok ? parseAs(RunDeadline, json.value) : json;
    if (!isToken(tenantId) || !parsed.ok)
      throw new ValidationError('invalid run deadline', parsed.ok ? ['tenant'] : parsed.problems);
    const wait = Date.parse(parsed.value.dueAt) - this.clock.now().getTime();
    if (wait > 0) throw new RetryLaterError(wait);

    const { runId } = parsed.value;
    let run = await this.runs.load(tenantId, runId);
    await inRunTrace(this.tracer, TIMER.deadline, run, async () => {
      for (let attempt = 0; ; attempt++) {
        const decided = decide({ type: 'CheckDeadline' }, run.state, {
          now: this.clock.now().toISOString(),
        });
        try {
          await this.runs.append(run, decided, this.clock.now());
          return;
        } catch (err) {
          if (!isErrorNamed(err, 'ConcurrencyError') || attempt >= MAX_CONFLICTS) throw err;
        }
        run = await this.runs.load(tenantId, runId);
      }
    });
  }
}
