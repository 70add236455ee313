import { tableFromArrays, type Table } from 'apache-arrow';
import { ident } from '../db/sql.js';
import type { Warehouse } from '../db/warehouse.js';
import { baseTables } from './base-sql.js';
import type { FeatureSpec } from './catalogue.js';

/** SELECT of every catalogue feature for each row of a panel table, from the base aggregates. */
export function featureSql(panel: string, catalogue: readonly FeatureSpec[]): string {
  const ctes = Object.entries(baseTables).map(([alias, build]) => `${alias} AS (${build(ident(panel))})`);
  const joins = Object.keys(baseTables)
    .filter((a) => a !== 'bg')
    .map((a) => `LEFT JOIN ${a} ON ${a}.student_id = p.student_id AND ${a}.as_of = p.as_of`);
  const features = catalogue.map((f) => `CAST((${f.sql}) AS DOUBLE) AS ${ident(f.name)}`);
  return `WITH ${ctes.join(',\n')}
  SELECT p.student_id, strftime(p.as_of, '%Y-%m-%d') AS as_of, p.label, ${features.join(', ')}
  FROM ${ident(panel)} p JOIN bg ON bg.student_id = p.student_id AND bg.as_of = p.as_of
  ${joins.join('\n  ')}
  ORDER BY p.as_of, p.student_id`;
}

/**
 * The feature matrix of a panel as an Arrow table (student_id, as_of, label, one Float64 column
 * per feature, missing = NaN): the columnar hand-off from DuckDB to the forest, also written next
 * to each trained model so its training data can be inspected.
 */
export async function featureMatrix(db: Warehouse, panel: string, catalogue: readonly FeatureSpec[], attendanceLagDays: number): Promise<Table> {
  const cols = await db.streamColumns(featureSql(panel, catalogue), { attendance_lag_days: attendanceLagDays });
  const arrays: Record<string, string[] | Int32Array | Float64Array> = {
    student_id: cols['student_id'] as string[],
    as_of: cols['as_of'] as string[],
    label: Int32Array.from(cols['label'] as Float64Array),
  };
  for (const f of catalogue) arrays[f.name] = cols[f.name] as Float64Array;
  return tableFromArrays(arrays) as unknown as Table;
}

/** Feature columns of a matrix as Float64Arrays, optionally only some rows. */
export function featureColumns(matrix: Table, catalogue: readonly FeatureSpec[], rows?: readonly number[]): Float64Array[] {
  return catalogue.map((f) => {
    const all = matrix.getChild(f.name)!.toArray() as Float64Array;
    return rows ? Float64Array.from(rows, (i) => all[i]!) : all;
  });
}
