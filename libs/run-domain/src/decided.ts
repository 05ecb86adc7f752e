import type { EventData, EventType } from '@tether/contracts';

/** An event as decided: the caller wraps it in an envelope (id, time, runId, …) to append it. */
export type DecidedEvent = { [K in EventType]: { type: K; data: EventData<K> } }[EventType];

export function event<K extends EventType>(type: K, data: EventData<K>): DecidedEvent {
  return { type, data } as DecidedEvent;
}
