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

/** Parses an event read from the log or a consumer; throws ValidationError with every problem. */
export function decodeEvent(data: Uint8Array): TetherEvent {
  const json = parseJson(data);
  if (!json.ok) throw new ValidationError('event is not JSON', json.problems);
  const parsed = parseEvent(json.value);
  if (!parsed.ok) throw new ValidationError('event does not match its contract', parsed.problems);
  return parsed.value;
}

/** Validates an event about to be appended: nothing off-contract enters the log. */
export function assertEvent(event: TetherEvent): void {
  const parsed = parseEvent(event);
  if (!parsed.ok)
    throw new ValidationError(`refusing to append an invalid ${event.type}`, parsed.problems);
}
