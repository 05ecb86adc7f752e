import { Injectable } from '@nestjs/common';
import type { TetherEvent } from '@tether/contracts';
import { EventStore, toEnvelopes, type Decided } from '@tether/event-store';
import { evolve, fold, initialState, type RunState } from '@tether/run-domain';
import { InjectConfig, type BaseConfig } from '@tether/service-kit';

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
}

/** Loads runs by folding their log and appends decisions with optimistic concurrency. */
@Injectable()
export class RunRepository {
  private readonly source: string;

  constructor(
    private readonly store: EventStore,
    @InjectConfig() config: BaseConfig,
  ) {
    this.source = `${config.service}@${config.version}`;
  }

  async load(tenantId: string, runId: string): Promise<LoadedRun> {
    const stored = await this.store.read(tenantId, runId);
    const state = fold(stored.map((s) => s.event));
    const last = stored.at(-1);
    return {
      tenantId,
      runId,
      state,
      seq: last?.seq ?? 0,
      lastEventId: last?.event.id,
      traceparent: stored[0]?.event.traceparent,
    };
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
    return this.advance(run, events, seq);
  }

  /** Folds events another service appended (and reported) into the run. */
  advance(run: LoadedRun, events: TetherEvent[], seq: number): LoadedRun {
    let state = run.state;
    for (const e of events) state = evolve(state, e);
    return { ...run, state, seq, lastEventId: events.at(-1)?.id ?? run.lastEventId };
  }
}
