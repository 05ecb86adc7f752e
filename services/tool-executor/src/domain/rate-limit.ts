/** A tool's `rateLimit` (`10/min`): at most `limit` calls per fixed window of `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

const WINDOWS: Record<string, number> = { sec: 1_000, min: 60_000, hour: 3_600_000 };

export function parseRateLimit(text: string | undefined): RateLimit | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(sec|min|hour)$/.exec(text);
  if (!match) throw new Error(`rateLimit "${text}" is not N/sec, N/min or N/hour`);
  return { limit: Number(match[1]), windowMs: WINDOWS[match[2] as string] as number };
}

/** The start of the fixed window holding `nowMs`, and the time left in it. */
export function windowOf(nowMs: number, windowMs: number): { startMs: number; leftMs: number } {
  const startMs = nowMs - (nowMs % windowMs);
  return { startMs, leftMs: startMs + windowMs - nowMs };
}
