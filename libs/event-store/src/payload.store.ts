import { createHash } from 'node:crypto';
import type { JetStreamClient, ObjectStore } from 'nats';
import { objectBucketNames, parseJson, type PayloadRef, type TetherEvent } from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { encodeJson, hasDataRef, readEventJson, toEvent } from './event.codec';
import { lazyObjectBucket } from './object-bucket';

/** Events larger than this keep their data in the payload bucket (a message holds at most 1 MB). */
export const DEFAULT_OFFLOAD_BYTES = 256 * 1024;

/** An event as a message carries it: inline, or with `dataRef` and `data: {}`. */
export type WireEvent = TetherEvent & { dataRef?: PayloadRef };

/**
 * Keeps the data of events too large for a message in the prefix's `_PAYLOADS` object store
 * bucket, content-addressed per tenant (`<tenant>/<sha256>`), so the log grows by the size of
 * what is new and a repeated payload is stored once. The data is put before the event that
 * names it is appended, so a reference in the log always resolves.
 */
export class PayloadStore {
  private readonly open: () => Promise<ObjectStore>;

  constructor(
    js: JetStreamClient,
    prefix: string,
    readonly offloadBytes = DEFAULT_OFFLOAD_BYTES,
  ) {
    this.open = lazyObjectBucket(js, objectBucketNames(prefix).payloads);
  }

  /**
   * The message body of an event about to be appended, and the reference to its data when that
   * was too large and stored first.
   */
  async encode(event: TetherEvent): Promise<{ body: Uint8Array; ref?: PayloadRef }> {
    const body = encodeJson(event);
    if (body.length <= this.offloadBytes) return { body };
    const data = encodeJson(event.data);
    const ref = refOf(data);
    const name = objectName(event.tenantId, ref.sha256);
    const bucket = await this.open();
    if (!(await bucket.info(name))) await bucket.putBlob({ name }, data);
    return { body: encodeJson(referencing(event, ref)), ref };
  }

  /**
   * The form of an event already in the log that fits in a message (a reply carrying it). Its
   * data was stored when it was appended, so nothing is written here.
   */
  reference(event: TetherEvent): WireEvent {
    if (encodeJson(event).length <= this.offloadBytes) return event;
    return referencing(event, refOf(encodeJson(event.data)));
  }

  /** Parses and validates an event read from the log, its offloaded data fetched first. */
  async decode(body: Uint8Array): Promise<TetherEvent> {
    const json = readEventJson(body);
    return toEvent(hasDataRef(json) ? await this.resolve(json) : json);
  }

  /** An event read from a message with its data in place: fetched and checked against its hash. */
  async resolve<T>(wire: T): Promise<T> {
    const ref = (wire as { dataRef?: PayloadRef } | null)?.dataRef;
    if (!ref) return wire;
    const { tenantId } = wire as unknown as TetherEvent;
    const name = objectName(tenantId, ref.sha256);
    const bytes = await (await this.open()).getBlob(name);
    if (!bytes) throw new ValidationError(`event data ${name} is missing from the payload bucket`);
    if (refOf(bytes).sha256 !== ref.sha256) {
      throw new ValidationError(`event data ${name} does not match its hash`);
    }
    const json = parseJson(bytes);
    if (!json.ok) throw new ValidationError(`event data ${name} is not JSON`, json.problems);
    const { dataRef: _, ...rest } = wire as unknown as WireEvent;
    return { ...rest, data: json.value } as T;
  }
}

function refOf(data: Uint8Array): PayloadRef {
  return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

function referencing(event: TetherEvent, dataRef: PayloadRef): WireEvent {
  return { ...event, dataRef, data: {} } as WireEvent;
}

function objectName(tenantId: string, sha256: string): string {
  return `${tenantId}/${sha256}`;
}
