import type { EntityManager } from 'typeorm';
import { foldRows, keyColumns, type Row, type TableSpec } from '../../domain/mergeable-row';

/**
 * The SQL side of `mergeable-row`: one upsert per table that merges the batch's rows into the
 * stored ones by the same rules. The rows travel as one JSON parameter, so the statement does
 * not grow with the batch.
 */
export function upsertStatement(spec: TableSpec): string {
  const columns = Object.entries(spec.columns);
  const names = columns.map(([name]) => name);
  const record = columns.map(([name, c]) => `${name} ${c.type}`).join(', ');
  const selected = columns
    .map(([name, c]) => (c.merge === 'sum' ? `COALESCE(x.${name}, 0)` : `x.${name}`))
    .join(', ');
  const updates = columns
    .filter(([, c]) => c.merge !== 'key')
    .map(([name, { merge }]) => {
      const old = `t.${name}`;
      const neu = `EXCLUDED.${name}`;
      if (merge === 'set') return `${name} = COALESCE(${neu}, ${old})`;
      if (merge === 'min') return `${name} = LEAST(${old}, ${neu})`;
      if (merge === 'max') return `${name} = GREATEST(${old}, ${neu})`;
      if (merge === 'sum') return `${name} = ${old} + ${neu}`;
      if (typeof merge === 'object')
        return `${name} = CASE WHEN EXCLUDED.${merge.latest} > t.${merge.latest} THEN ${neu} ELSE ${old} END`;
      throw new Error(`${spec.table}.${name}: a key column is not updated`);
    });
  return `INSERT INTO ${spec.table} AS t (${names.join(', ')})
    SELECT ${selected} FROM json_to_recordset($1::json) AS x(${record})
    ON CONFLICT (${keyColumns(spec).join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

const statements = new Map<TableSpec, string>();

export async function upsertRows(tx: EntityManager, spec: TableSpec, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  let sql = statements.get(spec);
  if (!sql) statements.set(spec, (sql = upsertStatement(spec)));
  // Two rows of one key in one statement would conflict with each other: fold them first.
  await tx.query(sql, [JSON.stringify(foldRows(spec, rows))]);
}
