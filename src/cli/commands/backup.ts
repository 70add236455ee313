import path from 'node:path';
import { dataDirLayout } from '../../core/data-dir.js';
import { backupWarehouse, listBackups, restoreWarehouse } from '../../db/backup.js';
import { acquireWriterLockPatiently } from '../../db/lock.js';
import { withWarehouse } from '../../app/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { table } from '../format.js';
import { parseOptions, writeSession } from '../options.js';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** `kiinni backup [--keep N]`: a checked copy of the warehouse in <data-dir>/backups/. */
export async function runBackup(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.backup), raw);
  const dir = dataDirLayout(ctx.dataDir);
  const backup = await withWarehouse(writeSession(ctx, 'backup'), ({ db }) => backupWarehouse(db, dir.backups, ctx.clock(), opts.keep ?? ctx.config.warehouse.backupsKept));
  ctx.print(backup, () => `Backed up to ${backup.file} (${mib(backup.bytes)}, schema version ${backup.schema_version}).`);
  return 0;
}

/** `kiinni backup list`. */
export async function runBackupList(ctx: CliContext): Promise<number> {
  const backups = listBackups(dataDirLayout(ctx.dataDir).backups);
  ctx.print({ backups }, () => (backups.length ? table(['file', 'created', 'size'], backups.map((b) => [path.basename(b.file), b.created_at, mib(b.bytes)])) : "No backups yet: 'kiinni backup', or warehouse.nightly_backup: true in the config."));
  return 0;
}

/** `kiinni backup restore FILE`: the backup replaces the warehouse; the old file is kept beside it. */
export async function runBackupRestore(ctx: CliContext, file: string): Promise<number> {
  const dir = dataDirLayout(ctx.dataDir);
  const chosen = path.isAbsolute(file) || file.includes('/') ? path.resolve(file) : path.join(dir.backups, file);
  const lock = await acquireWriterLockPatiently(dir.lock, 'backup restore');
  try {
    const r = await restoreWarehouse(dir.warehouse, chosen, ctx.clock());
    ctx.print(r, () =>
      [
        `Restored ${r.restored} as ${dir.warehouse}.`,
        r.replaced ? `The file it replaced is kept as ${r.replaced}; delete it when all is well.` : '',
        "Nights after the backup: run them again from the archive (files in archive/<kind>/<date>/ back into the inbox, then 'kiinni run nightly --as-of DATE' per night, or 'kiinni run backfill').",
      ].filter(Boolean).join('\n'),
    );
  } finally {
    lock.release();
  }
  return 0;
}
