import type { FileScan } from './file-scan.js';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { noProgress } from '../core/progress.js';
import type { Warehouse } from '../db/warehouse.js';
import { contractKinds, type ContractKind } from './contracts/index.js';
import { ingestFile, type IngestEffects, type IngestResult } from './ingest-file.js';
import type { ImportProfile } from './profiles.js';
import { shownFileName } from './source.js';

const dataFile = /^([a-z_]+?)(?:[-_.][^/]*)?\.(csv|parquet|jsonl|ndjson)$/i;

/** The kind a file in an export directory belongs to: `attendance.csv`, `attendance-2025-11.csv`. */
export function kindOfFileName(name: string): ContractKind | undefined {
  const m = dataFile.exec(name);
  if (!m) return undefined;
  const stem = m[1]!.toLowerCase();
  // Longest kind first, so `study_right_events-1.csv` is not read as some shorter kind.
  return [...contractKinds].sort((a, b) => b.length - a.length).find((k) => stem === k || name.toLowerCase().startsWith(k + '.') || name.toLowerCase().startsWith(k + '-') || name.toLowerCase().startsWith(k + '_'));
}

/** Files of a directory by kind, in dependency order (staff and students first). */
export function planDirectory(dir: string): { files: { kind: ContractKind; file: string }[]; ignored: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new KiinniError(ErrorCode.NotFound, `Directory ${dir} not found.`, 'Check the path given to --dir.');
  }
  const files: { kind: ContractKind; file: string }[] = [];
  const ignored: string[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    if (!statSync(full).isFile()) continue;
    const kind = kindOfFileName(name);
    if (kind) files.push({ kind, file: full });
    else ignored.push(shownFileName(name));
  }
  files.sort((a, b) => contractKinds.indexOf(a.kind) - contractKinds.indexOf(b.kind) || a.file.localeCompare(b.file));
  return { files, ignored };
}

/** Loads every `<kind>.csv|parquet|jsonl` of a directory, in dependency order. */
export async function ingestDirectory(
  db: Warehouse,
  dir: string,
  profiles: ReadonlyMap<ContractKind, ImportProfile>,
  fx: IngestEffects,
  maxQuarantineShare?: number,
): Promise<{ results: IngestResult[]; ignored: string[] }> {
  const { files, ignored } = planDirectory(dir);
  return { results: await ingestFiles(db, files, profiles, fx, maxQuarantineShare), ignored };
}

/** Loads files one after another, each with its kind's import profile if one is given; progress in files. */
export async function ingestFiles(
  db: Warehouse,
  files: readonly { kind: ContractKind; file: string; scan?: Promise<FileScan | null> | undefined }[],
  profiles: ReadonlyMap<ContractKind, ImportProfile>,
  fx: IngestEffects,
  maxQuarantineShare?: number,
): Promise<IngestResult[]> {
  const results: IngestResult[] = [];
  const progress = fx.progress ?? noProgress;
  progress.start('ingest', files.length, 'files');
  for (const { kind, file, scan } of files) {
    results.push(await ingestFile(db, { kind, file, profile: profiles.get(kind), maxQuarantineShare, scan }, fx));
    progress.advance();
  }
  progress.finish();
  return results;
}
