import { headers as natsHeaders, type MsgHdrs } from 'nats';
import { Header, parseEvent, parseJson, type TetherEvent } from '@tether/contracts';
import { ValidationError } from '@tether/errors';

const encoder = new TextEncoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Headers of an event message: dedupe id, type for downstream filters, trace context. */
export function eventHeaders(event: TetherEvent): MsgHdrs {
  const h = natsHeaders();
  h.set(Header.MsgId, event.id);
  h.set(Header.Type, event.type);
  if (event.traceparent) h.set(Header.TraceParent, event.traceparent);
  return h;
}

/**
 * Parses an event read from the log or a consumer; throws ValidationError with every problem.
 * An event whose data was offloaded needs its payload: read it with `PayloadStore.decode`.
 */
export function decodeEvent(data: Uint8Array): TetherEvent {
  const json = readEventJson(data);
  if (hasDataRef(json)) {
    throw new ValidationError('event data is in the payload bucket', ['read it with PayloadStore']);
  }
  return toEvent(json);
}

export function readEventJson(data: Uint8Array): unknown {
  const json = parseJson(data);
  if (!json.ok) throw new ValidationError('event is not JSON', json.problems);
  return json.value;
}

export function hasDataRef(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'dataRef' in json;
}

/** Validates a parsed event (upcasting older versions); throws ValidationError with every problem. */
export function toEvent(json: unknown): TetherEvent {
  const parsed = parseEvent(json);
  if (!parsed.ok) throw new ValidationError('event does not match its contract', parsed.problems);
  return parsed.value;
}

/** Validates an event about to be appended: nothing off-contract enters the log. */
export function assertEvent(event: TetherEvent): void {
  const parsed = parseEvent(event);
  if (!parsed.ok)
    throw new ValidationError(`refusing to append an invalid ${event.type}`, parsed.problems);
}
