import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { diskError, ErrorCode, KiinniError } from '../core/errors.js';
import { Warehouse } from './warehouse.js';

/** One backup of the warehouse: a checkpointed copy of its file. */
export interface Backup {
  file: string;
  created_at: string;
  bytes: number;
  schema_version: number | null;
}

const stampOf = (now: Date) => now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const backupName = /^kiinni-(\d{8}T\d{6}Z)\.duckdb$/;

/** The schema version a warehouse file reports when opened read-only, or a WAREHOUSE_CORRUPT error. */
async function verify(file: string): Promise<number | null> {
  const db = await Warehouse.open(file, { readOnly: true });
  try {
    const r = await db.one(`SELECT max(version) AS v FROM schema_version`);
    return r?.['v'] === null || r?.['v'] === undefined ? null : Number(r['v']);
  } finally {
    db.close();
  }
}

/**
 * Backs up the open warehouse into `dir`: CHECKPOINT (everything committed is in the file, the
 * WAL empty), a copy of the file under a temporary name, a read-only open of the copy to prove
 * it is whole, then the final name. The caller holds the writer lock, so nothing writes during
 * the copy. Keeps the newest `keep` backups.
 */
export async function backupWarehouse(db: Warehouse, dir: string, now: Date, keep: number): Promise<Backup> {
  await db.run('CHECKPOINT');
  const file = path.join(dir, `kiinni-${stampOf(now)}.duckdb`);
  const tmp = `${file}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    copyFileSync(db.file, tmp);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw diskError(err, dir);
  }
  let version: number | null;
  try {
    version = await verify(tmp);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, file);
  for (const old of listBackups(dir).slice(keep)) rmSync(old.file, { force: true });
  return { file, created_at: now.toISOString(), bytes: statSync(file).size, schema_version: version };
}

/** Backups in `dir`, newest first. */
export function listBackups(dir: string): Backup[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, m: backupName.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => b.name.localeCompare(a.name))
    .map(({ name, m }) => {
      const s = m[1]!;
      return { file: path.join(dir, name), created_at: `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`, bytes: statSync(path.join(dir, name)).size, schema_version: null };
    });
}

/**
 * Puts a backup in place of the warehouse file. The backup is checked first (it must open);
 * the file it replaces, damaged or not, is kept beside it as `kiinni.duckdb.replaced-<time>`.
 * The caller holds the writer lock and has the warehouse closed.
 */
export async function restoreWarehouse(warehouseFile: string, backupFile: string, now: Date): Promise<{ restored: string; replaced: string | null; schema_version: number | null }> {
  if (!existsSync(backupFile)) throw new KiinniError(ErrorCode.NotFound, `No backup ${backupFile}.`, "'kiinni backup list' shows the backups.");
  const version = await verify(backupFile);
  let replaced: string | null = null;
  try {
    if (existsSync(warehouseFile)) {
      replaced = `${warehouseFile}.replaced-${stampOf(now)}`;
      renameSync(warehouseFile, replaced);
      if (existsSync(`${warehouseFile}.wal`)) renameSync(`${warehouseFile}.wal`, `${replaced}.wal`);
    }
    copyFileSync(backupFile, `${warehouseFile}.tmp`);
    renameSync(`${warehouseFile}.tmp`, warehouseFile);
  } catch (err) {
    rmSync(`${warehouseFile}.tmp`, { force: true });
    throw diskError(err, path.dirname(warehouseFile));
  }
  return { restored: backupFile, replaced, schema_version: version };
}
