import type { JetStreamClient, ObjectStore } from 'nats';
import { objectBucketNames, parseJson, type TetherEvent } from '@tether/contracts';
import { encodeJson } from './event.codec';
import type { EventStore } from './event.store';
import { lazyObjectBucket } from './object-bucket';

/** A run's state folded up to stream sequence `seq`, as the code of `version` folds it. */
export interface Snapshot<S> {
  seq: number;
  /** Whose fold made it: a snapshot from other code is ignored, never trusted. */
  version: string;
  /** The `traceparent` of the run's first event (the log is not read from its start). */
  traceparent?: string;
  state: S;
}

/** A run folded from its latest usable snapshot and the events after it. */
export interface FoldedRun<S> {
  state: S;
  /** Stream sequence of the run's last event, 0 when it has none. */
  seq: number;
  lastEventId?: string;
  traceparent?: string;
  /** The snapshot it started from; none when it folded the whole log. */
  snapshot?: Snapshot<S>;
}

/**
 * The latest folded state of long runs, in the prefix's `_SNAPSHOTS` object store bucket
 * (`<tenant>/<runId>`), so that loading one reads a snapshot and the events after it instead
 * of the whole log. A cache: the log stays the truth, an unreadable, stale or foreign snapshot
 * is ignored, and the bucket's objects expire.
 */
export class SnapshotStore {
  private readonly open: () => Promise<ObjectStore>;

  constructor(js: JetStreamClient, prefix: string) {
    this.open = lazyObjectBucket(js, objectBucketNames(prefix).snapshots);
  }

  async get<S>(tenantId: string, runId: string, version: string): Promise<Snapshot<S> | undefined> {
    const bytes = await (await this.open()).getBlob(objectName(tenantId, runId));
    if (!bytes) return undefined;
    const json = parseJson(bytes);
    const snapshot = json.ok ? (json.value as Snapshot<S>) : undefined;
    if (snapshot?.version !== version || !Number.isInteger(snapshot.seq)) return undefined;
    return snapshot;
  }

  async put<S>(tenantId: string, runId: string, snapshot: Snapshot<S>): Promise<void> {
    await (await this.open()).putBlob({ name: objectName(tenantId, runId) }, encodeJson(snapshot));
  }

  /**
   * Loads a run: its snapshot of `version` (none is read without a version), then the events
   * after it folded on top. `fold(events, from)` folds from `from`, or from the start without it.
   */
  async load<S extends { lastEventId?: string }>(
    store: EventStore,
    tenantId: string,
    runId: string,
    fold: (events: TetherEvent[], from?: S) => S,
    version?: string,
  ): Promise<FoldedRun<S>> {
    const snapshot = version ? await this.get<S>(tenantId, runId, version) : undefined;
    const tail = await store.read(tenantId, runId, snapshot?.seq ?? 0);
    const state = fold(
      tail.map((s) => s.event),
      snapshot?.state,
    );
    return {
      state,
      seq: tail.at(-1)?.seq ?? snapshot?.seq ?? 0,
      lastEventId: state.lastEventId,
      traceparent: snapshot ? snapshot.traceparent : tail[0]?.event.traceparent,
      snapshot,
    };
  }
}

function objectName(tenantId: string, runId: string): string {
  return `${tenantId}/${runId}`;
}
