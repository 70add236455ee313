import { ident } from '../db/sql.js';
import { takeRows } from '../core/arrays.js';
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
 * The feature matrix of a panel, column by column as DuckDB hands it over (one Float64Array per
 * feature, missing = NaN): the forest reads these columns directly, no copy in between.
 */
export interface FeatureMatrix {
  rows: number;
  student_id: string[];
  as_of: string[];
  label: Int32Array;
  /** Feature name → its column. */
  features: Record<string, Float64Array>;
}

export async function featureMatrix(db: Warehouse, panel: string, catalogue: readonly FeatureSpec[], attendanceLagDays: number): Promise<FeatureMatrix> {
  // One row per panel row: announced, so the columns are filled in place (no second copy).
  const rows = Number((await db.one(`SELECT count(*) AS n FROM ${ident(panel)}`))?.['n']);
  const cols = await db.streamColumns(featureSql(panel, catalogue), { attendance_lag_days: attendanceLagDays }, { rows });
  const studentId = cols['student_id'] as string[];
  const features: Record<string, Float64Array> = {};
  for (const f of catalogue) features[f.name] = cols[f.name] as Float64Array;
  return { rows: studentId.length, student_id: studentId, as_of: cols['as_of'] as string[], label: Int32Array.from(cols['label'] as Float64Array), features };
}

/**
 * Feature columns of a matrix in catalogue order, optionally only some rows. Rows that are one
 * ascending run (the panel is ordered by date, so the rows of a set of consecutive dates are)
 * come as views of the matrix, not copies: nationally each copy was a gigabyte. Read-only.
 */
export function featureColumns(matrix: FeatureMatrix, catalogue: readonly FeatureSpec[], rows?: readonly number[]): Float64Array[] {
  const run = rows && rows.length > 0 && isRun(rows) ? rows[0]! : -1;
  return catalogue.map((f) => {
    const all = matrix.features[f.name]!;
    if (!rows) return all;
    return run >= 0 ? all.subarray(run, run + rows.length) : takeRows(all, rows);
  });
}

/** True when rows are k, k + 1, k + 2, … */
function isRun(rows: readonly number[]): boolean {
  const first = rows[0]!;
  for (let k = 1; k < rows.length; k++) if (rows[k] !== first + k) return false;
  return true;
}
