import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from 'nats';
import {
  bucketNames,
  kvStreamName,
  objectBucketNames,
  objectStreamName,
  streamNames,
  subjects,
  type StreamNames,
} from '@tether/contracts';
import { provisionSwitchesBucket } from './switches.bucket';

export interface StreamSettings {
  /** How long `Nats-Msg-Id` dedupe remembers an id. */
  duplicateWindowMs: number;
  /** 1 on a single server; 3 on a cluster. */
  replicas: number;
  /** How long a run's snapshot is kept after it was last written. */
  snapshotTtlMs: number;
  /** How long a notice waits for its service (one that is down longer misses it). */
  noticeTtlMs: number;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  duplicateWindowMs: 120_000,
  replicas: 1,
  snapshotTtlMs: 7 * 24 * 3_600_000,
  noticeTtlMs: 7 * 24 * 3_600_000,
};

const ms = (n: number) => n * 1_000_000;

export function streamConfigs(
  prefix: string,
  settings: StreamSettings,
): Array<Partial<StreamConfig> & { name: string }> {
  const names = streamNames(prefix);
  const common = {
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: settings.replicas,
    duplicate_window: ms(settings.duplicateWindowMs),
    max_msg_size: 1024 * 1024,
    allow_direct: true,
  };
  return [
    { ...common, name: names.cmd, subjects: [subjects.allCommands(prefix)] },
    // The event log is the truth: never discard, never expire.
    {
      ...common,
      name: names.evt,
      subjects: [subjects.allEvents(prefix)],
      deny_delete: true,
      deny_purge: false,
    },
    { ...common, name: names.ctl, subjects: [subjects.allControl(prefix)] },
    // Copies of the log's events for the services that act on a few of them: the log stays the
    // truth, so notices expire once every service has long had them.
    {
      ...common,
      name: names.ntc,
      subjects: [subjects.allNotices(prefix)],
      max_age: ms(settings.noticeTtlMs),
    },
  ];
}

/**
 * Creates the `_CMD`, `_EVT`, `_CTL` and `_NTC` streams, or brings their settings up to date, and the
 * `_SWITCHES` KV bucket (the kill switches). Idempotent.
 */
export async function provisionStreams(
  jsm: JetStreamManager,
  prefix: string,
  settings: StreamSettings = DEFAULT_STREAM_SETTINGS,
): Promise<StreamNames> {
  for (const config of streamConfigs(prefix, settings)) {
    try {
      const info = await jsm.streams.info(config.name);
      const current = info.config;
      const drifted =
        current.duplicate_window !== config.duplicate_window ||
        current.subjects.join() !== config.subjects!.join();
      if (drifted) await jsm.streams.update(config.name, config);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await jsm.streams.add(config);
      } catch (addErr) {
        // Another instance created it between our info and add: that is the desired outcome.
        if (!/already in use/i.test((addErr as Error).message)) throw addErr;
      }
    }
  }
  await provisionSwitchesBucket(jsm, prefix, settings.replicas);
  await provisionObjectBuckets(jsm, prefix, settings);
  return streamNames(prefix);
}

/**
 * The object store buckets: payloads live as long as the log that names them; snapshots are a
 * cache of the log, so they expire (a run loaded after that folds its whole log again).
 */
async function provisionObjectBuckets(
  jsm: JetStreamManager,
  prefix: string,
  settings: StreamSettings,
): Promise<void> {
  const js = jsm.jetstream();
  const names = objectBucketNames(prefix);
  const common = { storage: StorageType.File, replicas: settings.replicas };
  await js.views.os(names.payloads, common);
  await js.views.os(names.snapshots, { ...common, ttl: ms(settings.snapshotTtlMs) });
}

/** Deletes a prefix's streams and its buckets' streams (tests and `tether` maintenance only). */
export async function deleteStreams(jsm: JetStreamManager, prefix: string): Promise<void> {
  const buckets = [
    ...Object.values(bucketNames(prefix)).map(kvStreamName),
    ...Object.values(objectBucketNames(prefix)).map(objectStreamName),
  ];
  for (const name of [...Object.values(streamNames(prefix)), ...buckets]) {
    try {
      await jsm.streams.delete(name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; api_error?: { code?: number; err_code?: number } };
  return (
    e?.api_error?.code === 404 ||
    e?.code === '404' ||
    /not found/i.test(String((err as Error)?.message))
  );
}
