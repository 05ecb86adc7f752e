import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NatsConnection } from 'nats';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CommandName,
  isTerminalRunStatus,
  parseCommand,
  type RunExecution,
  type RunMode,
  type StartRun,
} from '@tether/contracts';
import { ForbiddenError, IllegalStateError, ValidationError } from '@tether/errors';
import { newId } from '@tether/event-store';
import { TetherClient } from '@tether/sdk';
import { InjectConfig, InjectNats } from '@tether/service-kit';
import { RunRequestEntity } from '../adapters/persistence/run-request.entity';
import type { GatewayConfig } from '../config';
import { IDEMPOTENCY_TTL_MS, requestHash, runUser } from '../domain/run-access';
import type { Caller } from './api-key.registry';
import { RunReader } from './run-reader';

export interface CreateRunInput {
  agent: string;
  input: string;
  mode?: RunMode;
  execution?: RunExecution;
  metadata?: Record<string, unknown>;
  /** The end user the run acts for; the caller by default. */
  userId?: string;
}

export interface CreatedRun {
  runId: string;
  status: 'queued';
  /** True when the `Idempotency-Key` had already started this run. */
  replayed: boolean;
}

/** The same `Idempotency-Key` came with another request: refused, never answered with the other run. */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'idempotency_key_reused';
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** Starts and cancels runs for HTTP callers, as `run.start` and `run.cancel` commands on the bus. */
@Injectable()
export class RunIntake {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: GatewayConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly reader: RunReader,
  ) {}

  /**
   * Records the run (and its key) before publishing `run.start`, so a retry after any failure
   * finds the same run id: if the command was not stored yet, the retry publishes it, and
   * JetStream's dedupe on `start-<runId>` makes a second publish of a stored one a no-op.
   */
  async create(
    caller: Caller,
    input: CreateRunInput,
    idempotencyKey?: string,
  ): Promise<CreatedRun> {
    const who = runUser(caller, input.userId);
    if (!who.ok) throw new ForbiddenError(who.reason);
    const fingerprint = requestHash({ ...input, userId: who.userId });
    const fresh: StartRun = {
      runId: newId('run'),
      agent: input.agent,
      input: input.input,
      userId: who.userId,
      roles: who.userId === caller.subject ? [...caller.roles] : ['user'],
      ...(input.mode !== undefined && { mode: input.mode }),
      ...(input.execution !== undefined && { execution: input.execution }),
      ...(input.metadata !== undefined && { metadata: input.metadata }),
    };
    const parsed = parseCommand(CommandName.RunStart, fresh);
    if (!parsed.ok) throw new ValidationError('invalid run', parsed.problems);

    const record = (tx: EntityManager) =>
      this.record(tx, caller.tenantId, fresh, fingerprint, idempotencyKey);
    // Without a key the record is one insert: no transaction round trips.
    const { row, replayed } =
      idempotencyKey === undefined
        ? await record(this.db.manager)
        : await this.db.transaction(record);
    if (row.requestHash !== fingerprint)
      throw new IdempotencyKeyReusedError(
        'this Idempotency-Key was used for a different request in the last 24 hours; use a new key for a new run',
      );
    if (!row.publishedAt) {
      await this.client(caller.tenantId).startRun({ ...fresh, runId: row.runId });
      await this.db
        .getRepository(RunRequestEntity)
        .update({ tenantId: row.tenantId, runId: row.runId }, { publishedAt: new Date() });
    }
    return { runId: row.runId, status: 'queued', replayed };
  }

  /** Asks the orchestrator to cancel; `run.cancelled` follows on the run's stream. */
  async cancel(caller: Caller, runId: string, reason?: string): Promise<{ runId: string }> {
    const run = await this.reader.get(caller, runId);
    if (isTerminalRunStatus(run.status))
      throw new IllegalStateError(`run ${runId} has already ended (${run.status})`);
    await this.client(caller.tenantId).cancel(runId, {
      requestedBy: caller.subject,
      ...(reason !== undefined && { reason }),
    });
    return { runId };
  }

  /** The run this request names: a new one, or the one its key already started. */
  private async record(
    tx: EntityManager,
    tenantId: string,
    run: StartRun,
    fingerprint: string,
    key: string | undefined,
  ): Promise<{ row: RunRequestEntity; replayed: boolean }> {
    const repo = tx.getRepository(RunRequestEntity);
    if (key !== undefined) {
      // A key past its window is let go, so that it may start a new run.
      await tx.query(
        `UPDATE gateway_run_requests SET idempotency_key = NULL
         WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at < now() - make_interval(secs => $3)`,
        [tenantId, key, IDEMPOTENCY_TTL_MS / 1000],
      );
    }
    const row = repo.create({
      tenantId,
      runId: run.runId,
      userId: run.userId,
      agent: run.agent,
      idempotencyKey: key ?? null,
      requestHash: fingerprint,
      createdAt: new Date(),
      publishedAt: null,
    });
    // A concurrent request with the same key waits here for the first to commit, then finds its row.
    const inserted: unknown[] = await tx.query(
      `INSERT INTO gateway_run_requests (tenant_id, run_id, user_id, agent, idempotency_key, request_hash, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING run_id`,
      [tenantId, row.runId, row.userId, row.agent, row.idempotencyKey, fingerprint, row.createdAt],
    );
    if (inserted.length || key === undefined) return { row, replayed: false };
    return { row: await repo.findOneByOrFail({ tenantId, idempotencyKey: key }), replayed: true };
  }

  private client(tenant: string): TetherClient {
    return new TetherClient(this.nc, { prefix: this.config.prefix, tenant });
  }
}
