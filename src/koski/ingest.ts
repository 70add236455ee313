import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { ErrorCode, isKiinniError, KiinniError } from '../core/errors.js';
import type { Warehouse } from '../db/warehouse.js';
import { csvFieldAsIs } from '../core/csv.js';
import { contractFor, ingestFile, shownFileName, type ContractKind, type IngestEffects, type IngestResult } from '../ingest/index.js';
import { emptyCounts, mapDocument, type KoskiCounts } from './map.js';
import type { Pseudonymiser } from './pseudonym.js';
import { koskiDocuments } from './read.js';

/** What one KOSKI export did. `--json` output: changing a field is a breaking change. */
export interface KoskiIngestResult {
  source: string;
  /** loaded: rows went in (some may be quarantined); unchanged: the same export was loaded before; refused: nothing loaded. */
  status: 'loaded' | 'unchanged' | 'refused';
  counts: KoskiCounts;
  /** The three contract loads it fanned out into (students, study_right_events, course_progress). */
  loads: IngestResult[];
  rows_loaded: number;
  rows_quarantined: number;
  message: string | null;
  hint: string | null;
}

export interface KoskiOptions {
  pseudonyms: Pseudonymiser;
  /** koski.names: keep kutsumanimi and sukunimi (never under turvakielto). */
  names: boolean;
  maxQuarantineShare?: number | undefined;
}

const kinds: readonly ContractKind[] = ['students', 'study_right_events', 'course_progress'];

/** The contract's column order for each part file. */
const columnsOf = (kind: ContractKind) => contractFor(kind).columns.map((c) => c.name);

/** Rows as CSV lines in the contract's column order (values as they are: these are data, not a sheet for people). */
async function write(stream: WriteStream, kind: ContractKind, rows: readonly object[]): Promise<void> {
  if (!rows.length) return;
  const cols = columnsOf(kind);
  let text = '';
  for (const r of rows) text += cols.map((c) => csvFieldAsIs((r as Record<string, string | number | boolean | null>)[c])).join(',') + '\n';
  if (!stream.write(text)) await new Promise<void>((ok) => stream.once('drain', () => ok()));
}

/**
 * Loads one KOSKI export (a file or a bulk-export directory): every document is mapped with
 * pseudonyms made at the edge (mapDocument), the rows are written as CSV to private files
 * under the data directory's tmp/, and the three contracts are loaded from them with the same
 * checks, quarantine and identity-code refusal as any export — in one transaction, so a refused
 * part or a crash loads nothing of the export. The same export loaded again changes nothing.
 */
export async function ingestKoski(db: Warehouse, source: string, opts: KoskiOptions, fx: IngestEffects): Promise<KoskiIngestResult> {
  const shown = shownFileName(source);
  const result: KoskiIngestResult = { source: shown, status: 'refused', counts: emptyCounts(), loads: [], rows_loaded: 0, rows_quarantined: 0, message: null, hint: null };
  const tmp = path.join(path.dirname(db.file), 'tmp');
  mkdirSync(tmp, { recursive: true });
  // The part files are named after the export (or "koski-export" when its name is withheld).
  const stem = (shown.startsWith('(') ? 'koski-export' : shown).replace(/[^A-Za-z0-9_.-]/g, '_');
  const files = Object.fromEntries(kinds.map((k) => [k, path.join(tmp, `${stem}.${k}.csv`)])) as Record<ContractKind, string>;
  const streams = Object.fromEntries(kinds.map((k) => [k, createWriteStream(files[k], { mode: 0o600 })])) as Record<ContractKind, WriteStream>;
  for (const k of kinds) streams[k].write(columnsOf(k).join(',') + '\n');
  const written: Record<string, number> = {};
  try {
    try {
      for await (const { doc } of koskiDocuments(source)) {
        const rows = mapDocument(doc, opts.pseudonyms, { names: opts.names }, result.counts);
        await write(streams['students'], 'students', rows.students);
        await write(streams['study_right_events'], 'study_right_events', rows.events);
        await write(streams['course_progress'], 'course_progress', rows.courses);
        written['students'] = (written['students'] ?? 0) + rows.students.length;
        written['study_right_events'] = (written['study_right_events'] ?? 0) + rows.events.length;
        written['course_progress'] = (written['course_progress'] ?? 0) + rows.courses.length;
      }
    } finally {
      await Promise.all(kinds.map((k) => new Promise<void>((ok) => streams[k].end(() => ok()))));
    }
    if (!result.counts.documents) throw new KiinniError(ErrorCode.InputRefused, `${shown}: no KOSKI documents in it (.json or .jsonl).`, 'Give a KOSKI export: a document, JSON lines of them, or a bulk-export directory of per-person .json files.');
    await db.transaction(async () => {
      for (const kind of kinds) {
        if (!written[kind]) continue;
        const r = await ingestFile(db, { kind, file: files[kind], maxQuarantineShare: opts.maxQuarantineShare }, fx);
        result.loads.push(r);
        if (r.status === 'refused') throw new KiinniError(ErrorCode.InputRefused, `${shown}: its ${kind.replace(/_/g, ' ')} were refused: ${r.message?.replace(/^[^:]*: /, '') ?? ''}`, r.hint ?? undefined);
      }
    });
    result.rows_loaded = result.loads.reduce((a, r) => a + r.rows_loaded, 0);
    result.rows_quarantined = result.loads.reduce((a, r) => a + r.rows_quarantined, 0);
    result.status = result.loads.length && result.loads.every((r) => r.status === 'unchanged') ? 'unchanged' : 'loaded';
  } catch (err) {
    if (!isKiinniError(err, ErrorCode.InputRefused)) throw err;
    result.status = 'refused';
    result.message = err.message;
    result.hint = err.hint ?? null;
    result.rows_loaded = 0;
    result.rows_quarantined = 0;
  } finally {
    for (const f of Object.values(files)) rmSync(f, { force: true });
  }
  fx.logger.info({ source: shown, status: result.status, documents: result.counts.documents, students: result.counts.students, rows_loaded: result.rows_loaded, rows_quarantined: result.rows_quarantined }, 'koski_ingest_done');
  return result;
}
