/**
 * Model pinning: a run must be reproducible, so an agent names an exact model snapshot. Bare
 * names such as `gpt-4o` or `claude-sonnet-4` are aliases the vendor moves to newer snapshots
 * without notice. Pure: no I/O, no config.
 */

/** Providers whose bare model names float. `openai-compatible` and `scripted` ids are the user's own. */
const FLOATING_PROVIDERS: ReadonlySet<string> = new Set(['openai', 'anthropic']);

const PINNED_EXAMPLE: Record<string, string> = {
  openai: 'gpt-5-2025-08-07',
  anthropic: 'claude-sonnet-4-20250514',
};

const DAY = '(0[1-9]|[12]\\d|3[01])';
const MONTH = '(0[1-9]|1[0-2])';
/** `2024-08-06` anywhere in the id, not glued to other digits. */
const ISO_DATE = new RegExp(`(?:^|\\D)20\\d\\d-${MONTH}-${DAY}(?!\\d)`);
/** `20250514`, as one token. */
const COMPACT_DATE = new RegExp(`^20\\d\\d${MONTH}${DAY}$`);
/** OpenAI's older snapshot suffix `-MMDD` (`gpt-4-0613`, `gpt-3.5-turbo-0125`), as one token. */
const MONTH_DAY = new RegExp(`^${MONTH}${DAY}$`);
/** An explicit version token (`-v2`, Bedrock's `-v2:0` splits into `v2` and `0`). */
const VERSION = /^v\d+$/;
/** `.` stays inside tokens so `3.5` or `4.1` is never read as a pin. */
const TOKEN_SEPARATORS = /[-_@:/]/;

/**
 * True when the id names a fixed snapshot: it carries a date (`2024-08-06`, `20250514`), an
 * OpenAI `MMDD` snapshot suffix, an explicit `v<N>` version, or is a fine-tune (`ft:…`, which
 * is fixed by construction). Anything marked `latest` floats, whatever else it carries.
 */
export function isPinnedModelId(id: string): boolean {
  const lower = id.trim().toLowerCase();
  if (lower.startsWith('ft:')) return true;
  const tokens = lower.split(TOKEN_SEPARATORS);
  if (tokens.includes('latest')) return false;
  if (ISO_DATE.test(lower)) return true;
  // The first token is the family name (`o1`, `gpt`), never a pin.
  return tokens.slice(1).some((t) => COMPACT_DATE.test(t) || MONTH_DAY.test(t) || VERSION.test(t));
}

export interface PinnableModel {
  provider: string;
  id: string;
  allowAlias?: boolean;
}

/**
 * The problem with a model's id, or undefined when it is acceptable. The text starts with the
 * field name (`id …`) so callers prefix it with the model's path (`model.`, `fallbacks.0.`).
 */
export function modelPinProblem(model: PinnableModel): string | undefined {
  if (!FLOATING_PROVIDERS.has(model.provider)) return undefined;
  if (model.allowAlias === true || isPinnedModelId(model.id)) return undefined;
  return (
    `id "${model.id}" is a floating alias for provider ${model.provider}: pin a dated snapshot ` +
    `(e.g. ${PINNED_EXAMPLE[model.provider]}) or set allowAlias: true`
  );
}
