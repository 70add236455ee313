import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataDir } from '../core/data-dir.js';
import type { Logger } from '../core/log.js';
import type { Warehouse } from '../db/warehouse.js';
import { contractKinds, ingestFile, pathHoldsIdentityCode, shownFileName, withheldFileName, type ContractKind, type IngestResult } from '../ingest/index.js';

/** Files waiting in `<data-dir>/inbox/<kind>/`, in dependency order of the kinds, then by name. */
export function waitingFiles(dir: DataDir): { kind: ContractKind; file: string }[] {
  return scanInbox(dir).files;
}

/** Folders of the inbox that are not a data kind but are expected there. */
const ownFolders = new Set(['_failed', 'koski']);

/**
 * What the inbox holds: files to load, in dependency order of the kinds, then by name; and what
 * will not be loaded and must be said — a file in the inbox root, a folder that is not a kind
 * (`inbox/attendence/`), a symbolic link (never followed: it could point anywhere). Names that
 * hold an identity code are withheld.
 */
export function scanInbox(dir: DataDir): { files: { kind: ContractKind; file: string }[]; koski: string[]; ignored: string[] } {
  const files: { kind: ContractKind; file: string }[] = [];
  const koski: string[] = [];
  const ignored: string[] = [];
  if (!existsSync(dir.inbox)) return { files, koski, ignored };
  const kinds = new Set<string>(contractKinds);
  const shown = (rel: string) => (shownFileName(rel) === withheldFileName ? withheldFileName : rel);
  for (const entry of readdirSync(dir.inbox, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || ownFolders.has(entry.name)) continue;
    if (entry.isSymbolicLink()) ignored.push(`${shown(entry.name)} (a symbolic link: put the files themselves in the inbox)`);
    else if (entry.isFile()) ignored.push(`${shown(entry.name)} (in the inbox itself: put it in inbox/<kind>/)`);
    else if (entry.isDirectory() && !kinds.has(entry.name)) ignored.push(`${shown(entry.name)}/ (not a data kind: ${contractKinds.join(', ')})`);
  }
  // inbox/koski/: each file, or each folder (a bulk export: one JSON file per person), is one KOSKI export.
  const koskiFolder = path.join(dir.inbox, 'koski');
  if (existsSync(koskiFolder) && !lstatSync(koskiFolder).isSymbolicLink()) {
    for (const entry of readdirSync(koskiFolder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name.endsWith('.tmp')) continue;
      if (entry.isSymbolicLink()) ignored.push(`koski/${shown(entry.name)} (a symbolic link: put the export itself in the inbox)`);
      else if (entry.isFile() || entry.isDirectory()) koski.push(path.join(koskiFolder, entry.name));
    }
  }
  for (const kind of contractKinds) {
    const folder = path.join(dir.inbox, kind);
    if (!existsSync(folder) || lstatSync(folder).isSymbolicLink()) continue;
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const name = entry.name;
      if (name.startsWith('.') || name.endsWith('.tmp')) continue;
      if (entry.isSymbolicLink()) ignored.push(`${kind}/${shown(name)} (a symbolic link: put the file itself in the inbox)`);
      else if (entry.isFile()) files.push({ kind, file: path.join(folder, name) });
    }
  }
  return { files, koski, ignored };
}

/** What the inbox step did. */
export interface InboxSummary {
  files: number;
  loaded: number;
  unchanged: number;
  refused: number;
  /** Files and folders in the inbox that were not loaded, with why (exit 3). */
  ignored: string[];
  rows_loaded: number;
  rows_quarantined: number;
  /** Files with more rows quarantined than ingest.max_quarantine_share allows (exit 5). */
  over_quarantine_share: number;
}

/**
 * Loads every waiting file. A loaded (or already loaded) file moves to
 * `archive/<kind>/<date>/<sha256 prefix>-<name>`; a refused one to `inbox/_failed/<kind>/` with a
 * `.reason.txt` beside it. Files arriving while the step runs wait for the next night. A file
 * that a crash left in the inbox after it was loaded is recognised by its hash next time
 * (`unchanged`) and archived then.
 */
export async function loadInbox(db: Warehouse, dir: DataDir, asOf: string, maxQuarantineShare: number, koskiNames: boolean, fx: { logger: Logger; clock: () => Date; checkpoint: (label: string) => void }): Promise<InboxSummary> {
  const { files, koski, ignored } = scanInbox(dir);
  const summary: InboxSummary = { files: 0, loaded: 0, unchanged: 0, refused: 0, ignored, rows_loaded: 0, rows_quarantined: 0, over_quarantine_share: 0 };
  if (ignored.length) fx.logger.warn({ ignored: ignored.length }, 'inbox_entries_ignored');
  /** Counts one processed entry and moves it out of the inbox (see `settle`). */
  const done = (kind: string, source: string, id: string, r: { status: IngestResult['status']; rows_loaded: number; rows_quarantined: number; message: string | null; hint: string | null }, overShare: boolean, shown: string) => {
    summary.files++;
    summary.rows_loaded += r.rows_loaded;
    summary.rows_quarantined += r.rows_quarantined;
    if (overShare) summary.over_quarantine_share++;
    if (r.status === 'refused') {
      summary.refused++;
      fx.logger.warn({ kind, file: shown }, 'inbox_file_refused');
    } else if (r.status === 'loaded') summary.loaded++;
    else summary.unchanged++;
    settle(dir, kind, source, asOf, id, r.status === 'refused' ? r : null);
    fx.checkpoint('ingest');
  };
  // KOSKI exports first: they bring the students that the other kinds refer to.
  if (koski.length) {
    const { ingestKoski, pseudonymiser } = await import('../koski/index.js');
    const pseudonyms = pseudonymiser();
    for (const source of koski) {
      const r = await ingestKoski(db, source, { pseudonyms, names: koskiNames, maxQuarantineShare }, fx);
      // An export may be a folder: named by its path and the time it was taken in.
      const id = createHash('sha256').update(`${source}|${fx.clock().toISOString()}`).digest('hex').slice(0, 12);
      done('koski', source, id, r, r.loads.some((l) => l.quarantine_share_exceeded), r.source);
    }
  }
  for (const { kind, file } of files) {
    const r: IngestResult = await ingestFile(db, { kind, file, maxQuarantineShare }, fx);
    const sha = r.sha256 ?? createHash('sha256').update(readFileSync(file)).digest('hex');
    done(kind, file, sha.slice(0, 12), r, r.quarantine_share_exceeded, r.file);
  }
  return summary;
}

/**
 * Moves a processed inbox entry out of the inbox: a refused one to
 * `inbox/_failed/<kind>/<date>-<id>-<name>` with a `.reason.txt` beside it (date and id in the
 * name: a second refused file of the same name never replaces the first), anything else to
 * `archive/<kind>/<date>/<id>-<name>`. A name holding an identity code is kept nowhere, not even here.
 */
function settle(dir: DataDir, kind: string, source: string, asOf: string, id: string, refused: { message: string | null; hint: string | null } | null): void {
  const base = path.basename(source);
  const name = pathHoldsIdentityCode(base) ? `withheld-name${path.extname(base).replace(/[^.A-Za-z0-9]/g, '')}` : base;
  if (refused) {
    const failed = path.join(dir.inbox, '_failed', kind);
    mkdirSync(failed, { recursive: true });
    const kept = `${asOf}-${id}-${name}`;
    renameSync(source, path.join(failed, kept));
    writeFileSync(path.join(failed, `${kept}.reason.txt`), `${refused.message ?? 'refused'}\n${refused.hint ?? ''}\n`);
  } else {
    const archive = path.join(dir.archive, kind, asOf);
    mkdirSync(archive, { recursive: true });
    renameSync(source, path.join(archive, `${id}-${name}`));
  }
}
