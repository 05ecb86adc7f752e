import { StorageType, type JetStreamClient, type ObjectStore } from 'nats';

/**
 * Opens an object store bucket on first use and keeps it; a failed open is retried on the next
 * use. It binds to the bucket `provisionStreams` made (nats.js would create a missing one).
 */
export function lazyObjectBucket(js: JetStreamClient, name: string): () => Promise<ObjectStore> {
  let bucket: Promise<ObjectStore> | undefined;
  return () => {
    bucket ??= js.views.os(name, { storage: StorageType.File });
    bucket.catch(() => (bucket = undefined));
    return bucket;
  };
}
