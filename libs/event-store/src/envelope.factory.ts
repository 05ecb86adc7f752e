import {
  SCHEMA_VERSION,
  type EventData,
  type EventType,
  type TetherEvent,
} from '@tether/contracts';
import { newId } from './ids';
import { currentTraceparent } from './trace-context';

export interface EnvelopeMeta {
  runId: string;
  tenantId: string;
  /** `<service>@<version>`. */
  source: string;
  causationId?: string;
  /** Decision time; defaults to now. */
  time?: string;
}

export type Decided = { [K in EventType]: { type: K; data: EventData<K> } }[EventType];

/** Wraps decided `{type, data}` pairs in envelopes: fresh ids, time, trace context. */
export function toEnvelopes(decided: Decided[], meta: EnvelopeMeta): TetherEvent[] {
  const time = meta.time ?? new Date().toISOString();
  const traceparent = currentTraceparent();
  let causationId = meta.causationId;
  return decided.map((d) => {
    const event = {
      id: newId('evt'),
      type: d.type,
      schemaVersion: SCHEMA_VERSION[d.type],
      runId: meta.runId,
      tenantId: meta.tenantId,
      time,
      source: meta.source,
      causationId,
      traceparent,
      data: d.data,
    } as TetherEvent;
    causationId = event.id;
    return event;
  });
}
