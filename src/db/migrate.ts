import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Warehouse } from './warehouse.js';

/** One versioned schema change. Versions are unique across all stages and never reused. */
export interface Migration {
  version: number;
  description: string;
  /** SQL statements to apply, in order. */
  statements: () => string[];
}

const schemaVersionDdl = `
  CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL,
    description VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
  )`;

/** The highest applied migration version, or 0 for a new warehouse. */
export async function schemaVersion(db: Warehouse): Promise<number> {
  if (!(await db.hasTable('schema_version'))) return 0;
  const row = await db.one(`SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_version`);
  return Number(row?.['v'] ?? 0);
}

/** Applies pending migrations, each in its own transaction. Returns the versions applied. */
export async function migrate(db: Warehouse, migrations: readonly Migration[], now: Date): Promise<number[]> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const latest = sorted.at(-1)?.version ?? 0;
  await db.run(schemaVersionDdl);
  const current = await schemaVersion(db);
  if (current > latest) {
    throw new KiinniError(
      ErrorCode.WarehouseState,
      `The warehouse has schema version ${current}, newer than this kiinni understands (${latest}).`,
      'Upgrade kiinni, or point --data-dir at another warehouse.',
    );
  }
  const applied: number[] = [];
  for (const m of sorted) {
    if (m.version <= current) continue;
    await db.transaction(async () => {
      for (const statement of m.statements()) await db.run(statement);
      await db.run(`INSERT INTO schema_version VALUES ($version, $description, $at::TIMESTAMP)`, {
        version: m.version,
        description: m.description,
        at: now.toISOString(),
      });
    });
    applied.push(m.version);
  }
  return applied;
}
