import { literal, ident } from '../db/sql.js';
import { Warehouse } from '../db/warehouse.js';
import { ErrorCode, KiinniError } from '../core/errors.js';

/** A table read for modelling: numeric feature columns (text encoded as codes) and a 0/1 target. */
export interface TabularData {
  featureNames: string[];
  columns: Float64Array[];
  y: Uint8Array;
}

/**
 * Reads any CSV (delimiter sniffed by DuckDB, BOM and stray whitespace in headers handled) as
 * features + binary target: rows where `target` equals `positive` are 1. Text columns become
 * integer codes in sorted order; empty cells become missing.
 */
export async function readTabular(file: string, target: string, positive: string): Promise<TabularData> {
  const db = await Warehouse.open(':memory:');
  try {
    await db.run(`CREATE TABLE t AS SELECT * FROM read_csv(${literal(file)}, header = true)`);
    const cols = await db.all(`SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE table_name = 't' ORDER BY column_index`);
    const names = cols.map((c) => String(c['name']));
    const targetCol = names.find((n) => n.trim() === target);
    if (!targetCol) throw new KiinniError(ErrorCode.Usage, `${file}: no column "${target}" (found: ${names.map((n) => n.trim()).join(', ')}).`);
    const featureCols = cols.filter((c) => c['name'] !== targetCol);
    const select = featureCols.map((c) =>
      String(c['type']) === 'VARCHAR'
        ? `CAST(dense_rank() OVER (ORDER BY ${ident(String(c['name']))}) AS DOUBLE) - 1 AS ${ident(String(c['name']))}`
        : `CAST(${ident(String(c['name']))} AS DOUBLE) AS ${ident(String(c['name']))}`,
    );
    const rows = await db.all(`SELECT ${select.join(', ')}, (CAST(${ident(targetCol)} AS VARCHAR) = ${literal(positive)})::INTEGER AS __y FROM t ORDER BY rowid`);
    const columns = featureCols.map(() => new Float64Array(rows.length));
    const y = new Uint8Array(rows.length);
    rows.forEach((r, i) => {
      featureCols.forEach((c, f) => {
        const v = r[String(c['name'])];
        columns[f]![i] = v === null || v === undefined ? NaN : Number(v);
      });
      y[i] = Number(r['__y']);
    });
    return { featureNames: featureCols.map((c) => String(c['name']).trim()), columns, y };
  } finally {
    db.close();
  }
}
