/**
 * A projection row that several events fill in, each with the columns it knows. Every column
 * says how two partial rows of the same key combine, and every rule is commutative and
 * associative: the row comes out the same whatever order the events arrive in, and a batch can
 * be folded in memory and then merged into the stored row with one upsert that applies the same
 * rules in SQL (see `upsertStatement` in the persistence adapter).
 */
export type MergeRule =
  /** Part of the row's key. */
  | 'key'
  /** Set by one kind of event only: whichever partial row has it. */
  | 'set'
  | 'min'
  | 'max'
  /** A count: absent counts as 0. */
  | 'sum'
  /** Taken from the partial row with the higher value of the named sequence column. */
  | { latest: string };

export type PgType = 'text' | 'int' | 'bigint' | 'numeric' | 'boolean' | 'timestamptz' | 'jsonb';

export interface ColumnSpec {
  type: PgType;
  merge: MergeRule;
}

export interface TableSpec {
  table: string;
  columns: Record<string, ColumnSpec>;
}

export type Row = Record<string, unknown>;

/** A table's columns as a list, and its key columns: read for every row of every batch. */
const layouts = new WeakMap<TableSpec, { columns: [string, ColumnSpec][]; key: string[] }>();

function layoutOf(spec: TableSpec) {
  let layout = layouts.get(spec);
  if (!layout) {
    const columns = Object.entries(spec.columns);
    const key = columns.filter(([, c]) => c.merge === 'key').map(([name]) => name);
    layouts.set(spec, (layout = { columns, key }));
  }
  return layout;
}

export function keyColumns(spec: TableSpec): string[] {
  return layoutOf(spec).key;
}

export function keyOf(spec: TableSpec, row: Row): string {
  return keyColumns(spec)
    .map((k) => String(row[k]))
    .join('\u0000');
}

const present = (v: unknown) => v !== undefined && v !== null;

function pick(a: unknown, b: unknown, choose: (x: number, y: number) => number): unknown {
  if (!present(a)) return b;
  if (!present(b)) return a;
  // Times compare as instants, numbers as numbers; both come back in the form they came in.
  const x = typeof a === 'string' ? Date.parse(a) : Number(a);
  const y = typeof b === 'string' ? Date.parse(b) : Number(b);
  return choose(x, y) === x ? a : b;
}

/**
 * Combines two partial rows of one key. A missing column is unknown, not zero (counts aside),
 * and comes out as `null` whichever way it was missing.
 */
export function mergeRows(spec: TableSpec, a: Row, b: Row): Row {
  const out: Row = {};
  for (const [name, { merge }] of layoutOf(spec).columns) {
    const x = a[name];
    const y = b[name];
    let value: unknown;
    if (merge === 'key' || merge === 'set') value = present(y) ? y : x;
    else if (merge === 'min') value = pick(x, y, Math.min);
    else if (merge === 'max') value = pick(x, y, Math.max);
    else if (merge === 'sum') value = sum(x, y);
    else value = Number(b[merge.latest] ?? 0) > Number(a[merge.latest] ?? 0) ? y : x;
    out[name] = value ?? null;
  }
  return out;
}

function sum(x: unknown, y: unknown): number {
  // Dollars: rounded to the column's 8 decimals so repeated additions do not drift.
  return Math.round((Number(x ?? 0) + Number(y ?? 0)) * 1e8) / 1e8;
}

/** Folds partial rows into one row per key, in any order. */
export function foldRows(spec: TableSpec, rows: Row[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    const key = keyOf(spec, row);
    const seen = byKey.get(key);
    byKey.set(key, seen ? mergeRows(spec, seen, row) : row);
  }
  return [...byKey.values()];
}
