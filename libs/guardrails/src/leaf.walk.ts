import { plainName } from './trigger';

/** A primitive found inside tool arguments or a tool result. */
export type Leaf = string | number | boolean;

export interface LeafSite {
  /** The key or array index the leaf is under; undefined for the value itself. */
  key: string | number | undefined;
  /**
   * Where it is (`args.orders.2.note`). Keys that are not plain names show as `?`, so a key made
   * of personal data never reaches a trigger's detail.
   */
  path(): string;
}

/** Deeper containers are not read: no real argument nests this far, and the walk must end. */
export const MAX_WALK_DEPTH = 32;

/** Calls `visit` for every string, finite number and boolean in `value`, in document order. */
export function walkLeaves(
  value: unknown,
  root: string,
  visit: (leaf: Leaf, site: LeafSite) => void,
): void {
  const keys: (string | number)[] = [];
  const path = () => [root, ...keys.map(plainName)].join('.');
  const walk = (v: unknown, depth: number): void => {
    if (
      typeof v === 'string' ||
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v))
    ) {
      visit(v, { key: keys[keys.length - 1], path });
      return;
    }
    if (typeof v !== 'object' || v === null || depth >= MAX_WALK_DEPTH) return;
    const entries: [string | number, unknown][] = Array.isArray(v)
      ? v.map((item, i) => [i, item])
      : Object.entries(v);
    for (const [k, child] of entries) {
      keys.push(k);
      walk(child, depth + 1);
      keys.pop();
    }
  };
  walk(value, 0);
}
