import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Msg } from 'nats';
import { RunListQuery, RunRef, TraceOp, parseAs, parseJson } from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { ProjectEventsHandler } from '../../application/project-events.handler';
import { RunQueries } from '../persistence/run.queries';
import { ProjectorConsumer } from './projector.consumer';

function body(msg: Msg): Record<string, unknown> {
  const parsed = parseJson(msg.data);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null)
    throw new ValidationError('request body must be a JSON object');
  return parsed.value as Record<string, unknown>;
}

function runRef(msg: Msg): RunRef {
  const parsed = parseAs(RunRef, body(msg));
  if (!parsed.ok)
    throw new ValidationError('a run is named by tenantId and runId', parsed.problems);
  return parsed.value;
}

/** Request/reply on `<P>.svc.trace-store.<op>`: queries are always scoped to one tenant. */
@Controller()
export class TraceQueryController {
  constructor(
    private readonly queries: RunQueries,
    private readonly projector: ProjectorConsumer,
    private readonly project: ProjectEventsHandler,
  ) {}

  @MessagePattern(TraceOp.RunGet)
  getRun(@Payload() msg: Msg) {
    const { tenantId, runId } = runRef(msg);
    return this.queries.getRun(tenantId, runId);
  }

  @MessagePattern(TraceOp.RunList)
  listRuns(@Payload() msg: Msg) {
    const parsed = parseAs(RunListQuery, body(msg));
    if (!parsed.ok) throw new ValidationError('invalid run list query', parsed.problems);
    return this.queries.listRuns(parsed.value);
  }

  @MessagePattern(TraceOp.RunEvents)
  getEvents(@Payload() msg: Msg) {
    const { tenantId, runId } = runRef(msg);
    return this.queries.getEvents(tenantId, runId);
  }

  @MessagePattern(TraceOp.RunTimeline)
  getTimeline(@Payload() msg: Msg) {
    const { tenantId, runId } = runRef(msg);
    return this.queries.getTimeline(tenantId, runId);
  }

  @MessagePattern('rebuild')
  async rebuild() {
    return { lastSeq: await this.projector.rebuild() };
  }

  @MessagePattern('status')
  async status() {
    return {
      checkpoint: await this.project.checkpoint(),
      lastSeq: await this.projector.lastLogSeq(),
      lagMs: this.projector.lag.summary(),
    };
  }

  /** Clears the lag window (benchmarks measure one phase at a time). */
  @MessagePattern('lag.reset')
  resetLag() {
    this.projector.lag.reset();
    return { ok: true };
  }
}
