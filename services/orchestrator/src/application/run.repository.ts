import { Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { TetherEvent } from '@tether/contracts';
import { EventStore, SnapshotStore, toEnvelopes, type Decided } from '@tether/event-store';
import {
  RUN_STATE_VERSION,
  evolve,
  fold,
  initialState,
  isTerminal,
  type RunState,
} from '@tether/run-domain';
import type { Logger } from 'pino';
import { InjectConfig, InjectLogger, InjectNats } from '@tether/service-kit';
import type { OrchestratorConfig } from '../config';

/** A run's state and the stream sequence it was folded up to: the expected sequence of the next append. */
export interface LoadedRun {
  tenantId: string;
  runId: string;
  state: RunState;
  seq: number;
  /** Id of the last event, the causation of the next decision. */
  lastEventId?: string;
  /** The `traceparent` of the run's first event: the trace every handling of the run joins. */
  traceparent?: string;
  /** Events folded into the run's latest snapshot known here (0: none): when to take the next. */
  snapshotAt?: number;
}

/**
 * Loads runs by folding their log (from the latest snapshot of a long run) and appends decisions
 * with optimistic concurrency. Every `snapshotEvery` events a run's state is snapshotted, so
 * loading a run costs its state and the events since, not its whole history.
 */
@Injectable()
export class RunRepository {
  private readonly source: string;
  private readonly snapshots: SnapshotStore;
  /** Snapshots from another release of this code are ignored: its `evolve` may differ. */
  private readonly snapshotVersion: string;

  constructor(
    private readonly store: EventStore,
    @InjectNats() nc: NatsConnection,
    @InjectConfig() private readonly config: OrchestratorConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.source = `${config.service}@${config.version}`;
    this.snapshots = new SnapshotStore(nc.jetstream(), config.prefix);
    this.snapshotVersion = `run-state-${RUN_STATE_VERSION}@${config.version}`;
  }

  async load(tenantId: string, runId: string): Promise<LoadedRun> {
    const version = this.config.snapshotEvery > 0 ? this.snapshotVersion : undefined;
    const { snapshot, ...loaded } = await this.snapshots.load(
      this.store,
      tenantId,
      runId,
      fold,
      version,
    );
    if (snapshot) {
      this.logger.debug(
        { runId, snapshotSeq: snapshot.seq, events: loaded.state.version - snapshot.state.version },
        'run loaded from a snapshot',
      );
    }
    return { tenantId, runId, ...loaded, snapshotAt: snapshot?.state.version ?? 0 };
  }

  /** The run's trace context without reading its log (see `LoadedRun.traceparent`). */
  traceparentOf(tenantId: string, runId: string): Promise<string | undefined> {
    return this.store.traceparentOf(tenantId, runId);
  }

  empty(tenantId: string, runId: string): LoadedRun {
    return { tenantId, runId, state: initialState(), seq: 0 };
  }

  /** Appends decided events after `run.seq`; returns the run advanced past them. Throws ConcurrencyError. */
  async append(run: LoadedRun, decided: Decided[], now: Date): Promise<LoadedRun> {
    if (decided.length === 0) return run;
    const events = toEnvelopes(decided, {
      runId: run.runId,
      tenantId: run.tenantId,
      source: this.source,
      causationId: run.lastEventId,
      time: now.toISOString(),
    });
    const seq = await this.store.appendAll(events, run.seq);
    return this.snapshotIfDue(this.advance(run, events, seq));
  }

  /** Takes a snapshot when `snapshotEvery` events were appended since the last one. */
  private async snapshotIfDue(run: LoadedRun): Promise<LoadedRun> {
    const every = this.config.snapshotEvery;
    if (every <= 0 || isTerminal(run.state)) return run;
    if (run.state.version - (run.snapshotAt ?? 0) < every) return run;
    try {
      await this.snapshots.put(run.tenantId, run.runId, {
        seq: run.seq,
        version: this.snapshotVersion,
        traceparent: run.traceparent ?? (await this.store.traceparentOf(run.tenantId, run.runId)),
        state: run.state,
      });
    } catch (err) {
      // A cache: the next load folds more of the log, nothing is lost.
      this.logger.warn({ runId: run.runId, err: (err as Error).message }, 'snapshot failed');
    }
    return { ...run, snapshotAt: run.state.version };
  }

  /**
   * Folds events another service appended and reported in a reply into the run; a large one
   * came as a reference to its data, fetched here.
   */
  async advanceReported(run: LoadedRun, reported: TetherEvent[], seq: number): Promise<LoadedRun> {
    const events = await Promise.all(reported.map((e) => this.store.payloads.resolve(e)));
    return this.advance(run, events, seq);
  }

  /** Folds events another service appended (and reported) into the run. */
  advance(run: LoadedRun, events: TetherEvent[], seq: number): LoadedRun {
    let state = run.state;
    for (const e of events) state = evolve(state, e);
    return { ...run, state, seq, lastEventId: events.at(-1)?.id ?? run.lastEventId };
  }
}
