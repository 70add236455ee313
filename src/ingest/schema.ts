import type { Migration } from '../db/migrate.js';
import type { Warehouse } from '../db/warehouse.js';
import { ident } from '../db/sql.js';
import { contracts, type ColumnType, type Contract } from './contracts/index.js';

/** DuckDB column type for a contract column type. */
export function sqlTypeOf(type: ColumnType): string {
  switch (type) {
    case 'string':
      return 'VARCHAR';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'integer':
      return 'INTEGER';
    case 'decimal':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'string_list':
      return 'VARCHAR[]';
  }
}

/**
 * CREATE TABLE for a contract. No PRIMARY KEY: ingest enforces the natural key itself (a key
 * index on a 10-million-row attendance table costs more than the whole load). `_ingest_id`
 * records which file each row came from.
 */
export function contractTableDdl(contract: Contract): string {
  const cols = contract.columns.map((c) => `  ${ident(c.name)} ${sqlTypeOf(c.type)}`);
  cols.push('  _ingest_id VARCHAR NOT NULL');
  return `CREATE TABLE IF NOT EXISTS ${ident(contract.kind)} (\n${cols.join(',\n')}\n)`;
}

/** Engine tables of the ingest stage: the ingest log and the quarantine of rejected rows. */
const ingestLogDdl = `
  CREATE TABLE IF NOT EXISTS ingest_log (
    ingest_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_path VARCHAR NOT NULL,
    sha256 VARCHAR,
    format VARCHAR,
    profile VARCHAR,
    status VARCHAR NOT NULL,          -- loaded | unchanged | refused
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_superseded BIGINT NOT NULL,  -- older than what the warehouse already had
    rows_skipped BIGINT NOT NULL,     -- excluded on purpose by the import profile
    started_at TIMESTAMP NOT NULL,
    duration_ms BIGINT NOT NULL,
    message VARCHAR
  )`;

const quarantineDdl = `
  CREATE TABLE IF NOT EXISTS quarantine (
    ingest_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    line BIGINT,                      -- line in a CSV (header = 1), row number otherwise
    column_name VARCHAR,
    reason VARCHAR NOT NULL,
    value VARCHAR,                    -- the offending value, as found
    row_json VARCHAR,                 -- the whole row, to fix and load again
    raw_line VARCHAR,                 -- the raw text, for rows the CSV reader itself rejected
    quarantined_at TIMESTAMP NOT NULL
  )`;

/** Migrations owned by the ingest stage. */
export const ingestMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'contract tables, ingest log, quarantine',
    statements: () => [...Object.values(contracts).map(contractTableDdl), ingestLogDdl, quarantineDdl],
  },
  {
    version: 10,
    description: "students.person_key: one person's study rights linked by a keyed pseudonym (KOSKI)",
    statements: () => ['ALTER TABLE students ADD COLUMN IF NOT EXISTS person_key VARCHAR'],
  },
  {
    version: 14,
    description: 'ingest_unchecked: loads committed before their repeated-key check, undone if interrupted',
    statements: () => [uncheckedDdl],
  },
];

/**
 * A streamed file's rows are committed first and checked for a repeated key afterwards (the check
 * reads committed rows in half the time). Between the two the load is listed here; a load still
 * listed when a writer next opens the warehouse was interrupted (a crash, a kill, a full disk),
 * and its rows are removed then, as if it had never started.
 */
const uncheckedDdl = `
  CREATE TABLE IF NOT EXISTS ingest_unchecked (
    ingest_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL
  )`;

/** Removes one unchecked load: its rows and its entry in ingest_unchecked, in one transaction. */
export async function removeUncheckedLoad(db: Warehouse, kind: string, ingestId: string): Promise<void> {
  await db.transaction(async () => {
    if (kind in contracts) await db.run(`DELETE FROM ${ident(kind)} WHERE _ingest_id = $id`, { id: ingestId });
    await db.run(`DELETE FROM ingest_unchecked WHERE ingest_id = $id`, { id: ingestId });
  });
}

/** Removes the rows of streamed loads interrupted before their check (see uncheckedDdl). Returns their ids. */
export async function undoUncheckedLoads(db: Warehouse): Promise<string[]> {
  const open = await db.all(`SELECT ingest_id, kind FROM ingest_unchecked ORDER BY started_at`);
  if (!open.length) return [];
  await db.transaction(async () => {
    for (const r of open) await removeUncheckedLoad(db, String(r['kind']), String(r['ingest_id']));
  });
  return open.map((r) => String(r['ingest_id']));
}
