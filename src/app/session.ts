import { existsSync } from 'node:fs';
import type { Config } from '../core/config.js';
import { dataDirLayout, ensureDataDir, type DataDir } from '../core/data-dir.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { acquireWriterLockPatiently, waitWhileWorkspaceHolds } from '../db/lock.js';
import { migrate, schemaVersion } from '../db/migrate.js';
import { Warehouse } from '../db/warehouse.js';
import { undoUncheckedLoads } from '../ingest/schema.js';
import { allMigrations, latestSchemaVersion } from './schema.js';

export interface SessionOptions {
  dataDir: string;
  config: Config;
  logger: Logger;
  clock: () => Date;
  /** Writing commands take the writer lock and apply pending migrations. */
  write: boolean;
  /** Recorded in the lock file so a second writer can say who holds it. */
  command: string;
  /** Create the warehouse if it does not exist (only `kiinni init`). */
  create?: boolean;
}

export interface Session {
  db: Warehouse;
  dir: DataDir;
  /** Migration versions applied when the session opened. */
  migrated: number[];
}

/**
 * Opens the warehouse for one command and closes it afterwards. Writers hold the writer lock
 * for the whole command; a second writer is refused at once (exit code 4), except that a
 * running workspace (`kiinni serve`) is waited for, up to two minutes.
 */
export async function withWarehouse<T>(opts: SessionOptions, fn: (s: Session) => Promise<T>): Promise<T> {
  const dir = dataDirLayout(opts.dataDir);
  if (!opts.create && !existsSync(dir.warehouse)) {
    throw new KiinniError(ErrorCode.WarehouseState, `No warehouse in ${dir.root}.`, "Run 'kiinni init' first, or point --data-dir (KIINNI_DATA_DIR) at your data directory.");
  }
  if (opts.write) ensureDataDir(dir);
  const lock = opts.write ? await acquireWriterLockPatiently(dir.lock, opts.command) : undefined;
  if (!opts.write) await waitWhileWorkspaceHolds(dir.lock);
  try {
    if (lock?.tookOverStale) opts.logger.warn({ stale_pid: lock.tookOverStale.pid }, 'stale_lock_taken_over');
    const db = await Warehouse.open(dir.warehouse, {
      readOnly: !opts.write,
      memoryLimit: opts.config.warehouse.memoryLimit,
      threads: opts.config.warehouse.threads,
      tempDirectory: opts.write ? dir.tmp : undefined,
    });
    try {
      let migrated: number[] = [];
      if (opts.write) {
        migrated = await migrate(db, allMigrations, opts.clock());
        if (migrated.length) opts.logger.info({ versions: migrated }, 'migrations_applied');
        const undone = await undoUncheckedLoads(db);
        if (undone.length) opts.logger.warn({ ingest_ids: undone }, 'interrupted_loads_undone');
      } else {
        const v = await schemaVersion(db);
        if (v < latestSchemaVersion) {
          throw new KiinniError(ErrorCode.WarehouseState, `The warehouse schema is at version ${v}; this kiinni needs ${latestSchemaVersion}.`, "Run 'kiinni init' to upgrade it.");
        }
      }
      return await fn({ db, dir, migrated });
    } finally {
      db.close();
    }
  } finally {
    lock?.release();
  }
}
