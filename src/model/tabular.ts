import { literal, ident } from '../db/sql.js';
import { Warehouse } from '../db/warehouse.js';
import { ErrorCode, KiinniError } from '../core/errors.js';

/** A table read for modelling: numeric feature columns (text encoded as codes) and a 0/1 target. */
export interface TabularData {
  featureNames: string[];
  columns: Float64Array[];
  y: Uint8Array;
  /** Each text column's categories in code order (code = position), as fitted on the training file. */
  categories: Record<string, string[]>;
}

/**
 * Reads any CSV (delimiter sniffed by DuckDB, BOM and stray whitespace in headers handled) as
 * features + binary target: rows where `target` equals `positive` are 1. Text columns become
 * integer codes; empty cells become missing. The codes are fitted on the file read (its categories
 * in sorted order) unless `fitted` gives them — a test file is then encoded as the training file
 * was: a text column stays text whatever its cells look like here, its columns are taken in the
 * training file's order, and a category the training file did not have is missing, not a new code.
 */
export async function readTabular(file: string, target: string, positive: string, fitted?: Pick<TabularData, 'featureNames' | 'categories'>): Promise<TabularData> {
  const db = await Warehouse.open(':memory:');
  try {
    await db.run(`CREATE TABLE t AS SELECT * FROM read_csv(${literal(file)}, header = true)`);
    const cols = await db.all(`SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE table_name = 't' ORDER BY column_index`);
    const names = cols.map((c) => String(c['name']));
    const targetCol = names.find((n) => n.trim() === target);
    if (!targetCol) throw new KiinniError(ErrorCode.Usage, `${file}: no column "${target}" (found: ${names.map((n) => n.trim()).join(', ')}).`);
    const byName = new Map(cols.filter((c) => c['name'] !== targetCol).map((c) => [String(c['name']).trim(), { column: String(c['name']), text: String(c['type']) === 'VARCHAR' }]));
    const featureNames = fitted ? fitted.featureNames : [...byName.keys()];
    for (const name of featureNames) if (!byName.has(name)) throw new KiinniError(ErrorCode.Usage, `${file}: no column "${name}", which the training file has.`);
    const isText = (name: string) => (fitted ? name in fitted.categories : byName.get(name)!.text);
    const select = featureNames.map((name, f) => {
      const c = ident(byName.get(name)!.column);
      return `${isText(name) ? `CAST(${c} AS VARCHAR)` : `TRY_CAST(${c} AS DOUBLE)`} AS f${f}`;
    });
    const rows = await db.all(`SELECT ${select.join(', ')}, (CAST(${ident(targetCol)} AS VARCHAR) = ${literal(positive)})::INTEGER AS __y FROM t ORDER BY rowid`);
    const categories: Record<string, string[]> = {};
    const columns = featureNames.map((name, f) => {
      const out = new Float64Array(rows.length);
      if (!isText(name)) {
        rows.forEach((r, i) => (out[i] = r[`f${f}`] === null || r[`f${f}`] === undefined ? NaN : Number(r[`f${f}`])));
        return out;
      }
      const values = fitted?.categories[name] ?? [...new Set(rows.map((r) => r[`f${f}`]).filter((v): v is string => typeof v === 'string'))].sort();
      categories[name] = values;
      const code = new Map(values.map((v, k) => [v, k]));
      rows.forEach((r, i) => (out[i] = code.get(r[`f${f}`] as string) ?? NaN));
      return out;
    });
    const y = Uint8Array.from(rows, (r) => Number(r['__y']));
    return { featureNames, columns, y, categories };
  } finally {
    db.close();
  }
}
