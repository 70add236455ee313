import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataDir } from '../core/data-dir.js';
import type { Logger } from '../core/log.js';
import type { Warehouse } from '../db/warehouse.js';
import { contractKinds, ingestFile, type ContractKind, type IngestResult } from '../ingest/index.js';

/** Files waiting in `<data-dir>/inbox/<kind>/`, in dependency order of the kinds, then by name. */
export function waitingFiles(dir: DataDir): { kind: ContractKind; file: string }[] {
  const out: { kind: ContractKind; file: string }[] = [];
  for (const kind of contractKinds) {
    const folder = path.join(dir.inbox, kind);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).sort()) {
      const file = path.join(folder, name);
      if (name.startsWith('.') || name.endsWith('.tmp') || !statSync(file).isFile()) continue;
      out.push({ kind, file });
    }
  }
  return out;
}

/** What the inbox step did. */
export interface InboxSummary {
  files: number;
  loaded: number;
  unchanged: number;
  refused: number;
  rows_loaded: number;
  rows_quarantined: number;
}

/**
 * Loads every waiting file. A loaded (or already loaded) file moves to
 * `archive/<kind>/<date>/<sha256 prefix>-<name>`; a refused one to `inbox/_failed/<kind>/` with a
 * `.reason.txt` beside it. Files arriving while the step runs wait for the next night. A file
 * that a crash left in the inbox after it was loaded is recognised by its hash next time
 * (`unchanged`) and archived then.
 */
export async function loadInbox(db: Warehouse, dir: DataDir, asOf: string, fx: { logger: Logger; clock: () => Date; checkpoint: (label: string) => void }): Promise<InboxSummary> {
  const summary: InboxSummary = { files: 0, loaded: 0, unchanged: 0, refused: 0, rows_loaded: 0, rows_quarantined: 0 };
  for (const { kind, file } of waitingFiles(dir)) {
    const result: IngestResult = await ingestFile(db, { kind, file }, fx);
    summary.files++;
    summary.rows_loaded += result.rows_loaded;
    summary.rows_quarantined += result.rows_quarantined;
    const name = path.basename(file);
    if (result.status === 'refused') {
      summary.refused++;
      const failed = path.join(dir.inbox, '_failed', kind);
      mkdirSync(failed, { recursive: true });
      renameSync(file, path.join(failed, name));
      writeFileSync(path.join(failed, `${name}.reason.txt`), `${result.message ?? 'refused'}\n${result.hint ?? ''}\n`);
      fx.logger.warn({ kind, file: name }, 'inbox_file_refused');
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
