import path from 'node:path';
import { migrate } from '../db/migrate.js';
import { Warehouse } from '../db/warehouse.js';
import { silentLogger } from '../core/log.js';
import { allMigrations } from '../app/index.js';
import { tempDir } from './temp-dir.js';

/** Fixed clock for tests: 2025-11-24 07:00 Helsinki. */
export const testNow = new Date('2025-11-24T05:00:00Z');

/** Effects for library calls in tests: silent logger, fixed clock. */
export const testEffects = { logger: silentLogger(), clock: () => testNow };

/** Opens a migrated warehouse in a real DuckDB file in a temp directory, runs `fn`, closes it. */
export async function withWarehouse<T>(fn: (db: Warehouse, dir: string) => Promise<T>): Promise<T> {
  const dir = tempDir();
  const db = await Warehouse.open(path.join(dir, 'kiinni.duckdb'));
  try {
    await migrate(db, allMigrations, testNow);
    return await fn(db, dir);
  } finally {
    db.close();
  }
}

/** A migrated warehouse with the bundled synthetic cohort (fixtures/cohort) loaded. */
export async function withCohortWarehouse<T>(fn: (db: Warehouse, dir: string) => Promise<T>): Promise<T> {
  const { ingestDirectory } = await import('../ingest/index.js');
  const { repoRoot } = await import('./cli.js');
  return withWarehouse(async (db, dir) => {
    await ingestDirectory(db, path.join(repoRoot, 'fixtures', 'cohort'), new Map(), testEffects);
    return fn(db, dir);
  });
}
