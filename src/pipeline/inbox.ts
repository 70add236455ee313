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
  // KOSKI exports first: they bring the students that the other kinds refer to.
  if (koski.length) {
    const { ingestKoski, pseudonymiser } = await import('../koski/index.js');
    const pseudonyms = pseudonymiser();
    for (const source of koski) {
      const r = await ingestKoski(db, source, { pseudonyms, names: koskiNames, maxQuarantineShare }, fx);
      summary.files++;
      summary.rows_loaded += r.rows_loaded;
      summary.rows_quarantined += r.rows_quarantined;
      if (r.loads.some((l) => l.quarantine_share_exceeded)) summary.over_quarantine_share++;
      const name = pathHoldsIdentityCode(path.basename(source)) ? 'withheld-name' : path.basename(source);
      const stamp = `${asOf}-${createHash('sha256').update(`${source}|${fx.clock().toISOString()}`).digest('hex').slice(0, 12)}`;
      if (r.status === 'refused') {
        summary.refused++;
        const failed = path.join(dir.inbox, '_failed', 'koski');
        mkdirSync(failed, { recursive: true });
        renameSync(source, path.join(failed, `${stamp}-${name}`));
        writeFileSync(path.join(failed, `${stamp}-${name}.reason.txt`), `${r.message ?? 'refused'}\n${r.hint ?? ''}\n`);
        fx.logger.warn({ kind: 'koski', file: r.source }, 'inbox_file_refused');
      } else {
        if (r.status === 'loaded') summary.loaded++;
        else summary.unchanged++;
        const archive = path.join(dir.archive, 'koski', asOf);
        mkdirSync(archive, { recursive: true });
        renameSync(source, path.join(archive, `${stamp}-${name}`));
      }
      fx.checkpoint('ingest');
    }
  }
  for (const { kind, file } of files) {
    const result: IngestResult = await ingestFile(db, { kind, file, maxQuarantineShare }, fx);
    summary.files++;
    if (result.quarantine_share_exceeded) summary.over_quarantine_share++;
    summary.rows_loaded += result.rows_loaded;
    summary.rows_quarantined += result.rows_quarantined;
    // A name holding an identity code is not kept anywhere, not even in the archive's file names.
    const name = pathHoldsIdentityCode(path.basename(file)) ? `withheld-name${path.extname(file).replace(/[^.A-Za-z0-9]/g, '')}` : path.basename(file);
    if (result.status === 'refused') {
      summary.refused++;
      const failed = path.join(dir.inbox, '_failed', kind);
      mkdirSync(failed, { recursive: true });
      // Date and hash in the name: a second refused file of the same name never replaces the first.
      const sha = result.sha256 ?? createHash('sha256').update(readFileSync(file)).digest('hex');
      const kept = `${asOf}-${sha.slice(0, 12)}-${name}`;
      renameSync(file, path.join(failed, kept));
      writeFileSync(path.join(failed, `${kept}.reason.txt`), `${result.message ?? 'refused'}\n${result.hint ?? ''}\n`);
      fx.logger.warn({ kind, file: result.file }, 'inbox_file_refused');
    } else {
      if (result.status === 'loaded') summary.loaded++;
      else summary.unchanged++;
      const sha = result.sha256 ?? createHash('sha256').update(readFileSync(file)).digest('hex');
      const archive = path.join(dir.archive, kind, asOf);
      mkdirSync(archive, { recursive: true });
      renameSync(file, path.join(archive, `${sha.slice(0, 12)}-${name}`));
    }
    fx.checkpoint('ingest');
  }
  return summary;
}
