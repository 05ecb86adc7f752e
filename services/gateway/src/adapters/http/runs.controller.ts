import type { ServerResponse } from 'node:http';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ValidationError } from '@tether/errors';
import type { Caller } from '../../application/api-key.registry';
import { RunEventStreams, type EventSink } from '../../application/run-event-streams';
import { RunIntake } from '../../application/run-intake';
import { RunReader } from '../../application/run-reader';
import { IDEMPOTENCY_KEY_PATTERN, RUN_ROLES, parseLastEventId } from '../../domain/run-access';
import { ApiKeyGuard } from './api-key.guard';
import { CurrentCaller, Roles } from './caller.decorator';
import { KeyThrottlerGuard } from './key-throttler.guard';
import { ApiProblems } from './problem.doc';
import { requestPipe } from './request.pipe';
import { RunTimelineDoc } from './run-timeline.dto';
import {
  CancelRequestedDoc,
  CancelRunBody,
  CreateRunBody,
  CreatedRunDoc,
  EventStreamParams,
  RunListParams,
  RunPageDoc,
  RunParams,
  RunViewDoc,
} from './run.dto';

/**
 * Runs of the caller's tenant. A user key sees and cancels the runs it started; an operator or
 * admin key, every run of the tenant. Another user's run is answered as one that does not exist.
 */
@ApiTags('runs')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblems(401, 403, 429, 503)
@Controller('v1/runs')
@UseGuards(ApiKeyGuard, KeyThrottlerGuard)
@UsePipes(requestPipe)
@Roles(...RUN_ROLES)
export class RunsController {
  constructor(
    private readonly intake: RunIntake,
    private readonly reader: RunReader,
    private readonly streams: RunEventStreams,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a run',
    description:
      'Publishes `run.start`; the run then goes on asynchronously (follow it with `GET /v1/runs/{runId}/events`). With an `Idempotency-Key`, sending the same request again within 24 hours answers the same run (`replayed: true`, header `Idempotent-Replayed`); the same key with a different request is refused with 422. An unknown agent or an input the agent refuses ends the run as `rejected`, with the reason.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Up to 255 printable characters, e.g. a UUID.',
  })
  @ApiAcceptedResponse({ type: CreatedRunDoc })
  @ApiProblems(400, 413, 422)
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateRunBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: ServerResponse,
  ) {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey))
      throw new ValidationError('invalid request', [
        'Idempotency-Key must be 1-255 printable ASCII characters without spaces',
      ]);
    const created = await this.intake.create(caller, body, idempotencyKey);
    res.setHeader('Location', `/v1/runs/${created.runId}`);
    if (created.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return created;
  }

  @Get()
  @ApiOperation({ summary: 'List runs, newest first' })
  @ApiOkResponse({ type: RunPageDoc })
  @ApiProblems(400)
  list(@CurrentCaller() caller: Caller, @Query() query: RunListParams) {
    return this.reader.list(caller, query);
  }

  @Get(':runId')
  @ApiOperation({ summary: 'One run: status, outcome, answer, steps, tokens and cost' })
  @ApiOkResponse({ type: RunViewDoc })
  @ApiProblems(400, 404)
  get(@CurrentCaller() caller: Caller, @Param() { runId }: RunParams) {
    return this.reader.get(caller, runId);
  }

  @Get(':runId/timeline')
  @ApiOperation({
    summary:
      'What the run did: each model turn and attempt, tool call, approval and guardrail trigger',
    description:
      'The run as `GET /v1/runs/{runId}` answers it, with its details as the trace-store projected them, each list oldest first. Arguments, results and errors are redacted as the log holds them. A run whose first event is not projected yet has empty lists.',
  })
  @ApiOkResponse({ type: RunTimelineDoc })
  @ApiProblems(400, 404)
  timeline(@CurrentCaller() caller: Caller, @Param() { runId }: RunParams) {
    return this.reader.timeline(caller, runId);
  }

  @Post(':runId/cancel')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Cancel a run',
    description:
      "Publishes `run.cancel`; `run.cancelled` follows on the run's events. A run that has already ended is a 409.",
  })
  @ApiAcceptedResponse({ type: CancelRequestedDoc })
  @ApiProblems(400, 404, 409)
  async cancel(
    @CurrentCaller() caller: Caller,
    @Param() { runId }: RunParams,
    @Body() body: CancelRunBody,
  ): Promise<CancelRequestedDoc> {
    await this.intake.cancel(caller, runId, body.reason);
    return { runId, status: 'cancelling' };
  }

  @Get(':runId/events')
  @ApiOperation({
    summary: "The run's events as Server-Sent Events",
    description:
      "Every event of the run, from its first, as it is appended; the stream ends after the run's terminal event. Each event's `id` is its position in the log: reconnect with `Last-Event-ID` (EventSource does) to resume after it without gaps or repeats. A reconnect after the terminal event gets 204.",
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  @ApiOkResponse({
    description:
      'text/event-stream: `id`, `event` (the event type) and `data` (the event envelope, JSON).',
  })
  @ApiNoContentResponse({ description: 'The run has ended and every event was already received.' })
  @ApiProblems(400, 404)
  async events(
    @CurrentCaller() caller: Caller,
    @Param() { runId }: RunParams,
    @Query() query: EventStreamParams,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const afterSeq = parseLastEventId(lastEventId ?? query.lastEventId);
    if (afterSeq === null)
      throw new ValidationError('invalid request', ['Last-Event-ID must be the id of an event']);
    await this.reader.get(caller, runId);
    if (
      afterSeq !== undefined &&
      (await this.streams.deliveredAll(caller.tenantId, runId, afterSeq))
    ) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    await this.streams.pipe(caller.tenantId, runId, afterSeq, responseSink(res));
  }
}

function responseSink(res: ServerResponse): EventSink {
  const gone = new AbortController();
  // The response's close, not the request's: a request closes as soon as its (empty) body is read.
  res.once('close', () => gone.abort());
  return {
    closed: gone.signal,
    send: (frame) =>
      new Promise((resolve) => {
        if (gone.signal.aborted || res.writableEnded) return resolve();
        if (res.write(frame)) return resolve();
        // Backpressure: a client that reads slowly holds the stream, not the gateway's memory.
        const go = () => {
          res.off('drain', go);
          gone.signal.removeEventListener('abort', go);
          resolve();
        };
        res.once('drain', go);
        gone.signal.addEventListener('abort', go, { once: true });
      }),
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
}
