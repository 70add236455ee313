import { ErrorCode, KiinniError } from '../core/errors.js';
import { ident, literal } from '../db/sql.js';
import { Warehouse } from '../db/warehouse.js';
import type { ImportProfile } from './profiles.js';

/** Functions a profile expression may not call: they read files, tables, settings or the environment. */
const forbiddenFunction = /^(read_|query|glob$|getenv$|current_setting$|duckdb_|pragma_|sniff_csv$|parquet_|iceberg_|delta_|sqlite_|postgres_|mysql_|http|json_execute)/i;

/** Why a parsed expression reaches outside one row of the source file, or null. */
function reachProblem(node: unknown, root = true): string | null {
  if (Array.isArray(node)) {
    for (const x of node) {
      const p = reachProblem(x, false);
      if (p) return p;
    }
    return null;
  }
  if (!node || typeof node !== 'object') return null;
  const o = node as Record<string, unknown>;
  if (o['class'] === 'SUBQUERY') return 'a subquery';
  if (!root && o['type'] === 'SELECT_NODE') return 'a query';
  if (o['type'] === 'TABLE_FUNCTION') return 'a table function';
  if (typeof o['function_name'] === 'string' && forbiddenFunction.test(o['function_name'])) return `the function ${o['function_name']}`;
  for (const [k, v] of Object.entries(o)) {
    // The one FROM is ours (the source relation); anything else is walked.
    if (root && k === 'from_table') continue;
    const p = reachProblem(v, false);
    if (p) return p;
  }
  return null;
}

/**
 * Checks a profile's SQL (`derived`, `skip_where`) against the source file alone: each
 * expression must be one expression over one row — no subquery, no table, no table function,
 * no file or setting reader — and must bind against a relation holding only the file's
 * columns, in an empty in-memory database where no warehouse table exists. So a profile can
 * never read the warehouse (`student_id IN (SELECT … FROM wellbeing)`) or another file.
 */
export async function checkProfileExpressions(profile: ImportProfile, sourceColumns: readonly string[]): Promise<void> {
  const exprs: [string, string][] = [...Object.entries(profile.derived).map(([k, v]) => [`derived.${k}`, v] as [string, string])];
  if (profile.skipWhere) exprs.push(['skip_where', profile.skipWhere]);
  if (!exprs.length) return;
  const fail = (key: string, why: string): never => {
    throw new KiinniError(ErrorCode.ConfigInvalid, `Import profile ${profile.source}: ${key}: ${why}`, "A profile's expressions may use only the file's own columns and ordinary functions (README, \"Import profiles\").");
  };
  const db = await Warehouse.open(':memory:');
  try {
    await db.run(`CREATE TEMP TABLE _source (${sourceColumns.length ? sourceColumns.map((c) => `${ident(c)} VARCHAR`).join(', ') : '_none VARCHAR'})`);
    for (const [key, expr] of exprs) {
      const sql = `SELECT (${expr}) FROM _source`;
      const parsed = JSON.parse(String((await db.one(`SELECT json_serialize_sql(${literal(sql)}) AS j`))?.['j'] ?? '{}')) as { error?: boolean; error_message?: string; statements?: { node: unknown }[] };
      if (parsed.error || !parsed.statements) fail(key, `not a valid expression (${(parsed.error_message ?? 'parser error').split('\n')[0]}).`);
      if (parsed.statements!.length !== 1) fail(key, 'must be one expression (no ;).');
      const reach = reachProblem(parsed.statements![0]!.node);
      if (reach) fail(key, `must be an expression over one row of the file; ${reach} is not allowed.`);
      try {
        await db.all(`${sql} LIMIT 0`);
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause ?? err;
        fail(key, `does not bind against the file's columns: ${String((cause as Error).message ?? cause).split('\n')[0]}.`);
      }
    }
  } finally {
    db.close();
  }
}
