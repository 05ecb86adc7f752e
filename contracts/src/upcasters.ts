import type { EventType } from './events/registry';

/**
 * Turns the `data` of an older schema version into the next one. Keyed by type, then by the
 * version it upgrades *from*. Every event type is at version 1 today, so the table is empty;
 * a breaking change adds an entry here and keeps the old fixtures in contracts/fixtures.
 */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;
export const UPCASTERS: Partial<Record<EventType, Record<number, Upcaster>>> = {};

export function upcast(
  type: EventType,
  version: number,
  data: Record<string, unknown>,
  target: number,
  table = UPCASTERS,
): Record<string, unknown> {
  let current = data;
  for (let v = version; v < target; v++) {
    const step = table[type]?.[v];
    if (!step) throw new Error(`no upcaster for ${type} v${v} -> v${v + 1}`);
    current = step(current);
  }
  return current;
}
