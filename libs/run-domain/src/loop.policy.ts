/**
 * Loop detection, decided in code: an agent that asks for the same tool with the same (or
 * near-identical) arguments a third time, or for one tool a fifth time in a row, is stuck.
 */

export const SAME_CALL_LIMIT = 3;
export const SAME_TOOL_RUN_LIMIT = 5;

export interface CallRecord {
  tool: string;
  /** Canonical form of the arguments (see `callSignature`). */
  signature: string;
}

export type LoopKind = 'same_call' | 'same_tool';

function normalize(value: unknown): unknown {
  if (typeof value === 'string') return value.trim().replace(/\s+/g, ' ').toLowerCase();
  if (typeof value === 'number')
    return Number.isFinite(value) ? Number(value.toPrecision(12)) : String(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, normalize((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Arguments that differ only in key order, case or white space, or in the last digits of a
 * number, have the same signature.
 */
export function callSignature(tool: string, args: Record<string, unknown>): string {
  return `${tool}:${JSON.stringify(normalize(args))}`;
}

/** Whether `next` would make the calls so far a loop. */
export function detectLoop(history: readonly CallRecord[], next: CallRecord): LoopKind | undefined {
  let same = 0;
  for (const h of history) if (h.signature === next.signature) same++;
  if (same + 1 >= SAME_CALL_LIMIT) return 'same_call';
  const tail = history.slice(-(SAME_TOOL_RUN_LIMIT - 1));
  if (tail.length === SAME_TOOL_RUN_LIMIT - 1 && tail.every((h) => h.tool === next.tool))
    return 'same_tool';
  return undefined;
}
