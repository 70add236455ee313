import { ident } from '../db/sql.js';
import type { Warehouse } from '../db/warehouse.js';
import { schemaVersion } from '../db/migrate.js';
import { contractKinds, type ContractKind } from './contracts/index.js';

/** `kiinni status --json`. Scripts depend on `tables.<kind>.rows` and `quarantine.rows`. */
export interface WarehouseStatus {
  warehouse: string;
  schema_version: number;
  tables: Record<ContractKind, { rows: number }>;
  quarantine: { rows: number; by_kind: Partial<Record<ContractKind, number>> };
  recent_ingests: {
    ingest_id: string;
    kind: string;
    file: string;
    sha256: string | null;
    status: string;
    rows_loaded: number;
    rows_quarantined: number;
    started_at: string;
    duration_ms: number;
  }[];
}

/** Row counts, quarantine counts and the latest ingests. */
export async function warehouseStatus(db: Warehouse, recent = 10): Promise<WarehouseStatus> {
  const counts = await db.all(contractKinds.map((k) => `SELECT '${k}' AS kind, count(*) AS n FROM ${ident(k)}`).join(' UNION ALL '));
  const tables = Object.fromEntries(contractKinds.map((k) => [k, { rows: 0 }])) as Record<ContractKind, { rows: number }>;
  for (const r of counts) tables[r['kind'] as ContractKind] = { rows: Number(r['n']) };
  const q = await db.all(`SELECT kind, count(*) AS n FROM (SELECT DISTINCT kind, sha256, line FROM quarantine) GROUP BY kind ORDER BY kind`);
  const byKind: Partial<Record<ContractKind, number>> = {};
  for (const r of q) byKind[r['kind'] as ContractKind] = Number(r['n']);
  const ingests = await db.all(
    `SELECT ingest_id, kind, file_name AS file, sha256, status, rows_loaded, rows_quarantined,
       strftime(started_at, '%Y-%m-%dT%H:%M:%S') AS started_at, duration_ms
     FROM ingest_log ORDER BY started_at DESC, rowid DESC LIMIT $n`,
    { n: recent },
  );
  return {
    warehouse: db.file,
    schema_version: await schemaVersion(db),
    tables,
    quarantine: { rows: Object.values(byKind).reduce((a, b) => a + (b ?? 0), 0), by_kind: byKind },
    recent_ingests: ingests as unknown as WarehouseStatus['recent_ingests'],
  };
}
