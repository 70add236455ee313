import type { SqlParams, Warehouse } from '../db/warehouse.js';
import { neutraliseFormulaSql } from '../core/csv.js';
import { literal } from '../db/sql.js';

/** One quarantined problem: a row of a file, the column and why. */
export interface QuarantineRecord {
  ingest_id: string;
  kind: string;
  file: string;
  line: number | null;
  column: string | null;
  reason: string;
  value: string | null;
  quarantined_at: string;
}

export interface QuarantineFilter {
  kind?: string | undefined;
  file?: string | undefined;
  limit?: number | undefined;
}

function whereOf(f: QuarantineFilter): { where: string; params: SqlParams } {
  const parts: string[] = [];
  const params: SqlParams = {};
  if (f.kind) {
    parts.push('kind = $kind');
    params['kind'] = f.kind;
  }
  if (f.file) {
    parts.push('file_name = $file');
    params['file'] = f.file;
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** Quarantined problems, newest file first, then by line. */
export async function listQuarantine(db: Warehouse, f: QuarantineFilter = {}): Promise<QuarantineRecord[]> {
  const { where, params } = whereOf(f);
  const limit = f.limit ? `LIMIT ${Math.max(1, Math.floor(f.limit))}` : '';
  return (await db.all(
    `SELECT ingest_id, kind, file_name AS file, line, column_name AS "column", reason, value,
       strftime(quarantined_at, '%Y-%m-%dT%H:%M:%S') AS quarantined_at
     FROM quarantine ${where} ORDER BY quarantined_at DESC, kind, file_name, line, column_name ${limit}`,
    params,
  )) as unknown as QuarantineRecord[];
}

/**
 * Writes quarantined rows to a CSV the coordinator can fix and load again: file, line, the
 * reasons joined, then the row as received (JSON) or the raw line the reader rejected.
 */
export async function exportQuarantine(db: Warehouse, out: string, f: QuarantineFilter = {}): Promise<number> {
  const { where, params } = whereOf(f);
  await db.run(
    `COPY (
       SELECT kind, ${neutraliseFormulaSql('file')} AS file, line, ${neutraliseFormulaSql('reasons')} AS reasons, ${neutraliseFormulaSql('row_json')} AS row_json, ${neutraliseFormulaSql('raw_line')} AS raw_line
       FROM (
         SELECT kind, file_name AS file, line, string_agg(coalesce(column_name || ': ', '') || reason, '; ' ORDER BY column_name) AS reasons,
           any_value(row_json) AS row_json, any_value(raw_line) AS raw_line
         FROM quarantine ${where}
         GROUP BY kind, file_name, sha256, line
       ) ORDER BY kind, file, line
     ) TO ${literal(out)} (HEADER, DELIMITER ',', QUOTE '"', FORCE_QUOTE (file, reasons, row_json, raw_line))`,
    params,
  );
  const n = await db.one(`SELECT count(*) AS n FROM (SELECT DISTINCT kind, sha256, line FROM quarantine ${where})`, params);
  return Number(n?.['n'] ?? 0);
}
