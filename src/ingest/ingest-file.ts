import { mkdirSync, rmSync, statSync } from 'node:fs';
import type { Progress } from '../core/progress.js';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import { localDate } from '../core/dates.js';
import { ErrorCode, isKiinniError } from '../core/errors.js';
import { ident, identList, literal } from '../db/sql.js';
import type { Warehouse } from '../db/warehouse.js';
import { checkedRowsSql, checkedTableSql, duplicateKeysSql, readerTypesFor, goodRowsSql, identityCodesInRawSql, keyMatch, markUnknownReferencesSql, problemsSql, recOf, type CheckPlan } from './checks.js';
import { contractFor, type Contract, type ContractKind } from './contracts/index.js';
import { containsIdentityCodeSql } from './identity-code.js';
import type { ImportProfile } from './profiles.js';
import { checkProfileExpressions } from './profile-expressions.js';
import { hasMixedLineEndings, scanFile, type FileScan } from './file-scan.js';
import { removeUncheckedLoad } from './schema.js';
import { csvReaderSql, describeSql, detectFormat, pathHoldsIdentityCode, probeFile, readCsvHeader, refuse, refuseCodesInHeader, writeWithLfEndings, shownFileName, typedReaderSql, withheldFileName, type CsvHeader, type SourceFormat } from './source.js';

/** Side effects of ingest, injected (STYLE.md §5). */
export interface IngestEffects {
  logger: Logger;
  clock: () => Date;
  /** How far a load of several files has come, in files. */
  progress?: Progress | undefined;
}

/** What happened to one file. `--json` output: changing a field is a breaking change. */
export interface IngestResult {
  ingest_id: string;
  kind: ContractKind;
  file: string;
  sha256: string | null;
  format: SourceFormat | null;
  profile: string | null;
  /** loaded: rows went in (some may be quarantined); unchanged: this exact file was loaded before; refused: nothing loaded. */
  status: 'loaded' | 'unchanged' | 'refused';
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
  rows_superseded: number;
  rows_skipped: number;
  duration_ms: number;
  warnings: string[];
  /** More of the file's rows were quarantined than the configured share (ingest.max_quarantine_share). */
  quarantine_share_exceeded: boolean;
  message: string | null;
  hint: string | null;
}

const T = {
  checked: '_ingest_checked',
  dups: '_ingest_dups',
  rejects: '_ingest_rejects',
  incoming: '_ingest_incoming',
  merged: '_ingest_merged',
} as const;

const rejectReasons: Record<string, string> = {
  'TOO MANY COLUMNS': 'the line has more fields than the header (check the delimiter and quoting)',
  'MISSING COLUMNS': 'the line has fewer fields than the header',
  'UNQUOTED VALUE': 'unterminated or stray quote character',
  'LINE SIZE OVER MAXIMUM': 'the line is too long',
  'INVALID ENCODING': 'not valid UTF-8 text',
  'INVALID UNICODE': 'not valid UTF-8 text',
  CAST: 'value could not be read',
};

const LATIN1_WARNING = 'the file was not valid UTF-8; it was read as Windows-1252 (Latin-1): check that ä, ö and å look right';

/** Times one step of a load and logs it at debug level (no row data, only names and ms). */
async function step<T>(fx: IngestEffects, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const value = await fn();
  fx.logger.debug({ step: name, ms: Math.round(performance.now() - t0) }, 'ingest_step');
  return value;
}

function ingestIdFor(kind: string, at: Date, sha: string): string {
  return `${kind}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${sha.slice(0, 8)}`;
}

/** Which source columns make each contract column; refuses the file if a required one is missing. */
function resolveMapping(file: string, contract: Contract, sourceColumns: readonly string[], profile: ImportProfile | undefined) {
  const byLower = new Map(sourceColumns.map((c) => [c.toLowerCase(), c]));
  const mapped = new Map<string, string>();
  const used = new Set<string>();
  const missing: string[] = [];
  for (const col of contract.columns) {
    let expr: string | undefined;
    const derived = profile?.derived[col.name];
    if (derived) {
      expr = `CAST((${derived}) AS VARCHAR)`;
      for (const s of sourceColumns) if (derived.includes(s)) used.add(s);
    } else {
      const wanted = profile?.columns[col.name] ?? col.name;
      const actual = byLower.get(wanted.toLowerCase());
      if (actual !== undefined) {
        expr = ident(actual);
        used.add(actual);
      }
    }
    if (expr === undefined) {
      if (col.required) missing.push(profile?.columns[col.name] ? `"${col.name}" (from source column "${profile.columns[col.name]}")` : `"${col.name}"`);
      continue;
    }
    const valueMap = profile?.values[col.name];
    if (valueMap && Object.keys(valueMap).length) {
      const whens = Object.entries(valueMap).map(([from, to]) => `WHEN ${literal(from.toLowerCase())} THEN ${literal(to)}`);
      expr = `CASE lower(trim(${expr})) ${whens.join(' ')} ELSE ${expr} END`;
    }
    mapped.set(col.name, expr);
  }
  if (missing.length) {
    const one = sourceColumns.length === 1;
    throw refuse(
      file,
      `required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing from the ${contract.kind} file${one ? ` (the header has a single column: is the delimiter ',' or ';'?)` : ` (the header has ${sourceColumns.length} columns; none of them is named so)`}.`,
      `Run 'kiinni contracts ${contract.kind}' to see the expected columns, or use an import profile (--profile) that maps your export's headers.`,
    );
  }
  const ignored = sourceColumns.flatMap((c, i) => (used.has(c) ? [] : [i + 1]));
  return { mapped, ignored };
}

/**
 * Loads one file into the warehouse: validates every row in DuckDB, quarantines bad rows with
 * file, line, column and reason, upserts good rows by natural key, all in one transaction. A
 * file already loaded cleanly (same kind, same bytes) is left alone.
 */
export async function ingestFile(
  db: Warehouse,
  opts: {
    kind: ContractKind;
    file: string;
    profile?: ImportProfile | undefined;
    maxQuarantineShare?: number | undefined;
    /** false: always stage the file and check it row by row (tests compare the two ways). */
    stream?: boolean | undefined;
    /** The file's scan started ahead (file-scan.ts's scanAhead); null or absent: scanned here. */
    scan?: Promise<FileScan | null> | undefined;
  },
  fx: IngestEffects,
): Promise<IngestResult> {
  const contract = contractFor(opts.kind);
  const started = fx.clock();
  const t0 = performance.now();
  const file = path.resolve(opts.file);
  const result: IngestResult = {
    ingest_id: '',
    kind: opts.kind,
    file: shownFileName(file),
    sha256: null,
    format: null,
    profile: opts.profile?.name ?? null,
    status: 'refused',
    rows_read: 0,
    rows_loaded: 0,
    rows_quarantined: 0,
    rows_superseded: 0,
    rows_skipped: 0,
    duration_ms: 0,
    warnings: [],
    quarantine_share_exceeded: false,
    message: null,
    hint: null,
  };
  try {
    if (pathHoldsIdentityCode(file)) {
      throw refuse(file, 'the file name (or a folder above it) looks like it holds a Finnish personal identity code (henkilötunnus); the file was not read.', 'Rename the file without the code, then load it again.');
    }
    const format = detectFormat(file, opts.profile?.format);
    result.format = format;
    const { head } = probeFile(file, format);
    // The scan started ahead in a worker (the CLI's), else read here.
    const { sha256: sha, endings } = await step(fx, 'sha256', async () => (await opts.scan) ?? scanFile(file));
    result.sha256 = sha;
    if (format === 'csv' && endings && endings.cr > 0 && endings.lf === 0 && endings.crlf === 0) {
      throw refuse(file, 'its lines end in a carriage return (CR) only, an old Mac format that the CSV reader does not split.', 'Save the export with Windows (CR LF) or Unix (LF) line endings and load it again.');
    }
    result.ingest_id = ingestIdFor(opts.kind, started, sha);
    const seen = await db.one(
      `SELECT ingest_id FROM ingest_log
       WHERE kind = $kind AND sha256 = $sha AND status = 'loaded' AND rows_quarantined = 0 AND coalesce(profile, '') = $profile
       LIMIT 1`,
      { kind: opts.kind, sha, profile: opts.profile?.name ?? '' },
    );
    if (seen) {
      result.status = 'unchanged';
      result.message = `already loaded as ${seen['ingest_id']}`;
    } else {
      if (format === 'csv' && endings && hasMixedLineEndings(endings)) {
        // One night's export is not lost to a stray CR: read a copy with every line break as LF.
        const tmp = path.join(path.dirname(db.file), 'tmp');
        mkdirSync(tmp, { recursive: true });
        const copy = path.join(tmp, `ingest-${process.pid}-${sha.slice(0, 12)}.csv`);
        try {
          await writeWithLfEndings(file, copy);
          result.warnings.push(`the file mixed line endings (${endings.crlf} CR LF, ${endings.lf} LF, ${endings.cr} CR alone); each was read as a line break`);
          await loadChecked(db, contract, file, copy, format, probeFile(copy, format).head, sha, opts.profile, result, started, opts.stream !== false, fx);
        } finally {
          rmSync(copy, { force: true });
        }
      } else {
        await loadChecked(db, contract, file, file, format, head, sha, opts.profile, result, started, opts.stream !== false, fx);
      }
    }
  } catch (err) {
    if (!isKiinniError(err) || err.code !== 'INPUT_REFUSED') throw err;
    result.status = 'refused';
    result.message = err.message;
    result.hint = err.hint ?? null;
    if (!result.ingest_id) result.ingest_id = ingestIdFor(opts.kind, started, result.sha256 ?? '00000000');
  }
  const share = opts.maxQuarantineShare ?? 1;
  if (result.status === 'loaded' && result.rows_read > 0 && result.rows_quarantined / result.rows_read > share) {
    result.quarantine_share_exceeded = true;
    result.warnings.push(`${Math.round((100 * result.rows_quarantined) / result.rows_read)} % of the rows were quarantined, more than the ${Math.round(share * 100)} % allowed (ingest.max_quarantine_share); 'kiinni quarantine list' shows why`);
  }
  result.duration_ms = Math.round(performance.now() - t0);
  await writeIngestLog(db, result, pathHoldsIdentityCode(file) ? withheldFileName : file, started);
  const { kind, status, rows_loaded, rows_quarantined, rows_superseded, rows_skipped, duration_ms } = result;
  fx.logger.info({ kind, file: result.file, status, rows_loaded, rows_quarantined, rows_superseded, rows_skipped, ms: duration_ms }, 'ingest_done');
  return result;
}

async function writeIngestLog(db: Warehouse, r: IngestResult, file: string, started: Date): Promise<void> {
  await db.run(
    `INSERT INTO ingest_log VALUES ($id, $kind, $name, $path, $sha, $format, $profile, $status,
       $read, $loaded, $quarantined, $superseded, $skipped, $started::TIMESTAMP, $ms, $message)`,
    {
      id: r.ingest_id,
      kind: r.kind,
      name: r.file,
      path: file,
      sha: r.sha256,
      format: r.format,
      profile: r.profile,
      status: r.status,
      read: r.rows_read,
      loaded: r.rows_loaded,
      quarantined: r.rows_quarantined,
      superseded: r.rows_superseded,
      skipped: r.rows_skipped,
      started: started.toISOString(),
      ms: r.duration_ms,
      message: r.message,
    },
  );
}

async function sourceColumnsOf(db: Warehouse, file: string, format: 'parquet' | 'jsonl'): Promise<string[]> {
  try {
    const rows = await db.all(describeSql(file, format));
    return rows.map((r) => String(r['column_name']));
  } catch (err) {
    if (format === 'parquet') throw refuse(file, 'not a readable Parquet file.', 'Export the file again.');
    throw refuse(
      file,
      'not JSON lines: one JSON object per line expected.',
      "Make it one object per line (e.g. jq -c '.[]' or jq -c .), or, for KOSKI documents ({\"henkilö\", \"opiskeluoikeudet\"}), use 'kiinni ingest koski FILE'.",
    );
  }
}

async function loadChecked(
  db: Warehouse,
  contract: Contract,
  file: string,
  /** What is read: the file itself, or a copy with its line endings made one kind. */
  readPath: string,
  format: SourceFormat,
  head: Buffer,
  sha: string,
  profile: ImportProfile | undefined,
  result: IngestResult,
  started: Date,
  stream: boolean,
  fx: IngestEffects,
): Promise<void> {
  const expected = contract.columns.map((c) => profile?.columns[c.name] ?? c.name);
  const skipRows = profile?.skipRows ?? 0;
  let header: CsvHeader | undefined;
  let sourceColumns: string[];
  if (format === 'csv') {
    header = readCsvHeader(file, head, expected, { delimiter: profile?.delimiter, skipRows, encoding: profile?.encoding });
    sourceColumns = header.columns;
    if (header.encoding === 'latin-1' && !profile?.encoding) result.warnings.push(LATIN1_WARNING);
  } else {
    sourceColumns = await sourceColumnsOf(db, file, format);
    refuseCodesInHeader(file, sourceColumns);
  }
  if (profile) await checkProfileExpressions(profile, sourceColumns);
  const { mapped, ignored } = resolveMapping(file, contract, sourceColumns, profile);
  if (ignored.length) result.warnings.push(`${ignored.length} column${ignored.length > 1 ? 's' : ''} not in the ${contract.kind} contract ${ignored.length > 1 ? 'were' : 'was'} not loaded (column${ignored.length > 1 ? 's' : ''} ${ignored.join(', ')} of the header; 'kiinni contracts ${contract.kind}' lists the expected names)`);
  const plan: CheckPlan = {
    contract,
    sourceColumns,
    mapped,
    dateFormat: profile?.dateFormat,
    timestampFormat: profile?.timestampFormat,
    dateFormatText: profile?.dateFormatText,
    timestampFormatText: profile?.timestampFormatText,
    skipWhere: profile?.skipWhere,
    today: localDate(started),
  };

  // Streaming gives way by rolling back its own transaction; inside a caller's (a KOSKI export's
  // three loads) a failed insert would end the caller's transaction and rows inserted before a
  // repeated key was found would stay, so there every file takes the row-by-row check.
  if (stream && !db.inTransaction) {
    // CSV: integers and dates typed by the reader itself (a value it cannot type fails the read).
    const typed = header ? readerTypesFor(plan) : new Map<string, never>();
    const streamed: CheckPlan = { ...plan, readerTypes: new Map([...typed].map(([col, t]) => [col, t.type])) };
    const reader = header
      ? csvReaderSql(readPath, header, skipRows, undefined, new Map([...typed.values()].map((t) => [t.source, t.type])))
      : typedReaderSql(readPath, format as 'parquet' | 'jsonl', sourceColumns);
    if (await step(fx, 'streaming', () => loadStreaming(db, contract, streamed, readPath, reader, sha, result, fx))) return;
  }
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const reader = header ? csvReaderSql(readPath, header, skipRows, T.rejects) : typedReaderSql(readPath, format as 'parquet' | 'jsonl', sourceColumns);
      await dropTemps(db);
      // Staging happens before the transaction: temp tables are private to this connection and
      // vanish with it, and scanning them is much faster once they are committed.
      await step(fx, 'check_rows', async () => {
        try {
          await db.run(checkedTableSql(plan, reader, T.checked));
        } catch (err) {
          if (isKiinniError(err, ErrorCode.Io) || isKiinniError(err, ErrorCode.WarehouseCorrupt)) throw err;
          const first = (err as Error).message.replace(/^Warehouse query failed: /, '');
          // DuckDB's messages can quote the offending line; keep only the kind of failure.
          throw refuse(file, `the file could not be read as ${format.toUpperCase()}: ${first.split(/[:\n]/)[0]}.`, 'Check that the export is complete and in the right format.');
        }
      });
      if (header && header.encoding === 'utf-8' && !profile?.encoding) {
        const enc = await db.one(`SELECT count(*) AS n FROM ${ident(T.rejects)} WHERE error_type LIKE 'INVALID%'`);
        if (Number(enc?.['n'] ?? 0) > 0) {
          header = { ...header, encoding: 'latin-1' };
          result.warnings.push(LATIN1_WARNING);
          continue;
        }
      }
      await refuseIdentityCodes(db, plan, file, header !== undefined, skipRows);
      for (const sql of markUnknownReferencesSql(plan, T.checked)) await step(fx, 'references', () => db.run(sql));
      // Record numbers are fixed in the checked table now; later steps need no row order, and
      // DuckDB runs them faster and leaner without it.
      await db.run('SET preserve_insertion_order = false');
      try {
        await step(fx, 'duplicate_keys', () => db.run(duplicateKeysSql(contract, T.checked, T.dups)));
        // One transaction for every write: a kill before COMMIT leaves the warehouse as it was.
        await step(fx, 'write', () => db.transaction(() => applyChecked(db, contract, plan, file, sha, header !== undefined, skipRows, result, started)));
      } finally {
        await db.run('RESET preserve_insertion_order');
      }
      break;
    }
  } finally {
    await dropTemps(db);
  }
}

const notClean = 'kiinni: the file is not clean';

/**
 * The common case without staging: a file with no row to quarantine, no key twice and nothing to
 * merge field by field streams from the reader straight into its table, its rows replacing those
 * with the same key. One read of the file: every check runs as the rows are inserted, and the
 * first row with a problem stops the insert with an error (DuckDB's `error()`), so nothing is
 * written. The inserted rows are committed, listed in ingest_unchecked, and a repeated key is
 * then looked for among them, by numbering the rows of each key's hash (a partitioned window:
 * 0.7 s for ten million committed keys, where sorting them all took 0.85 s and a GROUP BY 1.3 s).
 * Any problem (or a file that changed meanwhile) removes the committed rows again and returns
 * false, and the checked load then finds every problem with its line; a load interrupted before
 * its check is removed by the next writer (undoUncheckedLoads). Inside a caller's transaction
 * nothing is committed early: the caller never streams (loadChecked).
 */
async function loadStreaming(db: Warehouse, contract: Contract, plan: CheckPlan, file: string, reader: string, sha: string, result: IngestResult, fx: IngestEffects): Promise<boolean> {
  const target = ident(contract.kind);
  const targetHasRows = Boolean(await db.one(`SELECT 1 AS x FROM ${target} LIMIT 1`));
  if (targetHasRows && (contract.versionColumn || contract.keepKnown)) return false;
  const cols = identList(contract.columns.map((c) => c.name));
  const keys = identList(contract.key);
  const unknownReference = contract.columns
    .filter((c) => c.references)
    .map((c) => `coalesce(${ident(c.name)} NOT IN (SELECT ${ident(c.references!.column)} FROM ${ident(c.references!.kind)}), true)`);
  // An identity code anywhere refuses the file, also in a row skipped on purpose: the check is
  // made on every row before the skipped ones are left out.
  const problem = `__hetu_col IS NOT NULL OR (NOT __skip AND (${['__bad', ...unknownReference].join(' OR ')}))`;
  const id = { ingest_id: result.ingest_id };
  const before = statSync(file);
  let inserted = false;
  await db.run('SET preserve_insertion_order = false');
  try {
    // 1. The rows go in and are committed with an entry in ingest_unchecked (the step's log line
    // comes after the commit).
    const loaded = await step(fx, 'insert', () => db.transaction(async () => {
      const n = await db.run(
          `INSERT INTO ${target} (${cols}, _ingest_id)
           SELECT ${cols}, $ingest_id FROM (
             SELECT *, CASE WHEN ${problem} THEN error(${literal(notClean)}) ELSE __skip END AS __left_out FROM (${checkedRowsSql(plan, reader)})
           ) WHERE NOT __left_out`,
          id,
        );
      await db.run(`INSERT INTO ingest_unchecked VALUES ($ingest_id, $kind, now()::TIMESTAMP)`, { ...id, kind: contract.kind });
      return n;
    }));
    inserted = true;
    // 2. A repeated key is looked for among the committed rows (in the transaction, among its own
    // uncommitted rows, the same count took 1.1-1.3 s for ten million rows instead of 0.7-0.8 s).
    const repeated = await step(fx, 'duplicate_keys', () =>
      db.one(
        `SELECT count(*) FILTER (WHERE nth > 1) AS n
         FROM (SELECT row_number() OVER (PARTITION BY k) AS nth FROM (SELECT hash(${keys}) AS k FROM ${target} ${targetHasRows ? 'WHERE _ingest_id = $ingest_id' : ''}))`,
        targetHasRows ? id : {},
      ),
    );
    if (Number(repeated?.['n']) > 0) throw new Error(notClean);
    // Rows skipped on purpose are counted by a read of what the skip rule needs.
    const skipped = plan.skipWhere ? Number((await db.one(`SELECT count(*) FILTER (WHERE __skip) AS n FROM (${checkedRowsSql(plan, reader)})`))?.['n']) : 0;
    const after = statSync(file);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) throw new Error(notClean);
    // 3. Earlier rows with a key the file holds give way to the file's (a read of the table, not
    // the file), and the load leaves ingest_unchecked, in one transaction.
    await db.transaction(async () => {
      if (targetHasRows) {
        await db.run(`DELETE FROM ${target} t USING (SELECT ${keys} FROM ${target} WHERE _ingest_id = $ingest_id) i WHERE ${keyMatch(contract)} AND t._ingest_id IS DISTINCT FROM $ingest_id`, id);
      }
      await db.run(`DELETE FROM quarantine WHERE kind = $kind AND sha256 = $sha`, { kind: contract.kind, sha });
      await db.run(`DELETE FROM ingest_unchecked WHERE ingest_id = $ingest_id`, id);
    });
    Object.assign(result, { rows_read: loaded + skipped, rows_loaded: loaded, rows_skipped: skipped, status: 'loaded' });
    return true;
  } catch (err) {
    if (isKiinniError(err, ErrorCode.Io) || isKiinniError(err, ErrorCode.WarehouseCorrupt)) throw err;
    // The committed rows go again (on a failure here too, ingest_unchecked still lists them and
    // the next writer removes them).
    if (inserted) await removeUncheckedLoad(db, contract.kind, result.ingest_id);
    // Nothing of the error is logged: DuckDB's reader quotes the line it could not read.
    fx.logger.debug({ kind: contract.kind }, 'ingest_streaming_gave_way');
    return false;
  } finally {
    await db.run('RESET preserve_insertion_order');
  }
}

async function dropTemps(db: Warehouse): Promise<void> {
  for (const t of [T.checked, T.dups, T.incoming, T.merged, T.rejects, `${T.rejects}_scan`]) await db.run(`DROP TABLE IF EXISTS temp.${ident(t)}`);
}

/** Line of record `rec` (0-based, among records the reader accepted) in the source file. */
function lineOfSql(rec: string, isCsv: boolean, skipRows: number): string {
  if (!isCsv) return `(${rec} + 1)`;
  // Lines the CSV reader rejected are not records of the checked table: count those before this one.
  const rejectedBefore = `(SELECT count(*) FROM (SELECT DISTINCT line FROM ${ident(T.rejects)}) r
      WHERE r.line - 1 - ${skipRows} - (SELECT count(DISTINCT r2.line) FROM ${ident(T.rejects)} r2 WHERE r2.line <= r.line) <= ${rec})`;
  return `(${rec} + 2 + ${skipRows} + ${rejectedBefore})`;
}

async function refuseIdentityCodes(db: Warehouse, plan: CheckPlan, file: string, isCsv: boolean, skipRows: number): Promise<void> {
  let hit = await db.one(
    `SELECT __hetu_col AS col, count(*) AS n, min(${recOf(T.checked)}) AS first FROM ${ident(T.checked)}
     WHERE __hetu_col IS NOT NULL GROUP BY 1 ORDER BY 3 LIMIT 1`,
  );
  const inRaw = identityCodesInRawSql(plan, T.checked);
  if (!hit && inRaw) hit = await db.one(inRaw);
  let where: string | undefined;
  if (hit) {
    const line = await db.one(`SELECT ${lineOfSql(String(Number(hit['first'])), isCsv, skipRows)} AS line`);
    const col = String(hit['col']);
    where = `${col.startsWith('column ') ? col : `column "${col}"`} (${hit['n']} row${Number(hit['n']) > 1 ? 's' : ''}, first on line ${line?.['line']})`;
  } else if (isCsv) {
    const rej = await db.one(`SELECT min(line) AS line FROM ${ident(T.rejects)} WHERE ${containsIdentityCodeSql('csv_line')}`);
    if (rej && rej['line'] !== null) where = `line ${rej['line']}`;
  }
  if (where) {
    throw refuse(
      file,
      `contains what looks like a Finnish personal identity code (henkilötunnus) in ${where}. The whole file was refused and nothing was stored.`,
      'kiinni never stores identity codes: remove that column or replace the codes with pseudonymous ids, then load the file again.',
    );
  }
}

/** Which import-profile setting most likely fixes a file whose every row fails for `reason`. */
function profileHint(reason: string): string {
  const profiles = "An import profile (--profile, see 'kiinni profiles' and README 'Import profiles')";
  if (/timestamp/.test(reason)) return `${profiles} with timestamp_format (e.g. '%d.%m.%Y %H:%M') reads the export's timestamps.`;
  if (/date/.test(reason)) return `${profiles} with date_format (e.g. '%d.%m.%Y' for 8.8.2022) reads the export's dates.`;
  if (/one of|one or more of/.test(reason)) return `${profiles} with values: maps the export's words (e.g. kyllä/ei) onto the contract's.`;
  if (/number|integer|decimal/.test(reason)) return `${profiles} reads decimal commas and other number formats; check the delimiter too (delimiter: ';').`;
  if (/fields than the header|CSV reader/.test(reason)) return `Check the delimiter and quoting; ${profiles} with delimiter: ';' reads semicolon files.`;
  return `Run 'kiinni contracts' for what each column expects; ${profiles} maps an export that differs.`;
}

async function applyChecked(
  db: Warehouse,
  contract: Contract,
  plan: CheckPlan,
  file: string,
  sha: string,
  isCsv: boolean,
  skipRows: number,
  result: IngestResult,
  started: Date,
): Promise<void> {
  const params = { ingest_id: result.ingest_id, kind: contract.kind, file_name: shownFileName(file), sha, now: started.toISOString() };
  const dupCount = Number((await db.one(`SELECT count(*) AS n FROM ${ident(T.dups)} d JOIN ${ident(T.checked)} c ON c.rowid = d.rid WHERE NOT c.__bad`))?.['n'] ?? 0);
  const counts = await db.one(
    `SELECT count(*) AS records, count(*) FILTER (WHERE __skip) AS skipped, count(*) FILTER (WHERE NOT __skip AND __bad) AS bad
     FROM ${ident(T.checked)}`,
  );
  const rejectedLines = isCsv ? Number((await db.one(`SELECT count(DISTINCT line) AS n FROM ${ident(T.rejects)}`))?.['n'] ?? 0) : 0;
  result.rows_read = Number(counts?.['records'] ?? 0) + rejectedLines;
  result.rows_skipped = Number(counts?.['skipped'] ?? 0);
  result.rows_quarantined = Number(counts?.['bad'] ?? 0) + dupCount + rejectedLines;
  const candidates = result.rows_read - result.rows_skipped;
  if (candidates > 0 && result.rows_quarantined >= candidates) {
    // A file of which nothing would load is refused, not "loaded": the cause is nearly always one
    // setting (a date format, a delimiter), and the reason says which.
    const top = await db.one(
      `SELECT column_name, reason, count(*) AS n FROM (${problemsSql(plan, T.checked, T.dups, (rec) => lineOfSql(rec, isCsv, skipRows))}) GROUP BY ALL ORDER BY n DESC, column_name LIMIT 1`,
    );
    const why = top ? `; most often column "${top['column_name']}": ${top['reason']} (${top['n']} rows)` : '; the CSV reader could not read its lines';
    throw refuse(file, `every row (${candidates}) would be quarantined${why}. Nothing was loaded.`, profileHint(top ? String(top['reason']) : ''));
  }

  // Quarantine: earlier loads of these same bytes are replaced, so a re-run never doubles them.
  await db.run(`DELETE FROM quarantine WHERE kind = $kind AND sha256 = $sha`, { kind: contract.kind, sha });
  if (result.rows_quarantined > 0) {
    await db.run(
      `INSERT INTO quarantine
       SELECT $ingest_id, $kind, $file_name, $sha, ${lineOfSql('p.rec', isCsv, skipRows)}, p.column_name, p.reason, p.value, p.row_json, NULL, $now::TIMESTAMP
       FROM (${problemsSql(plan, T.checked, T.dups, (rec) => lineOfSql(rec, isCsv, skipRows))}) p`,
      params,
    );
    if (rejectedLines) {
      const reasons = Object.entries(rejectReasons).map(([k, v]) => `WHEN ${literal(k)} THEN ${literal(v)}`).join(' ');
      await db.run(
        `INSERT INTO quarantine
         SELECT $ingest_id, $kind, $file_name, $sha, line, any_value(column_name),
           CASE any_value(error_type) ${reasons} ELSE 'the CSV reader could not read this line' END,
           NULL, NULL, any_value(csv_line), $now::TIMESTAMP
         FROM ${ident(T.rejects)} GROUP BY line`,
        params,
      );
    }
  }

  const cols = contract.columns.map((c) => c.name);
  const target = ident(contract.kind);
  const insertCols = `${identList(cols)}, _ingest_id`;
  const targetHasRows = Boolean(await db.one(`SELECT 1 AS x FROM ${target} LIMIT 1`));
  const good = goodRowsSql(contract, T.checked, dupCount ? T.dups : undefined);
  const keyCols = new Set(contract.key);
  const unknown = (alias: string, c: string) => `(${alias}.${ident(c)} IS NULL OR CAST(${alias}.${ident(c)} AS VARCHAR) = 'unknown')`;
  if (contract.versionColumn && targetHasRows && contract.keepKnown) {
    // Two sources of one row (KOSKI's evaluations, the register's study plan): the newer row's
    // values win, and what it does not know (empty or `unknown`) is filled from the other.
    const v = ident(contract.versionColumn);
    await db.run(`CREATE TEMP TABLE ${ident(T.incoming)} AS ${good}`);
    result.rows_superseded = Number((await db.one(`SELECT count(*) AS n FROM ${ident(T.incoming)} i JOIN ${target} t ON ${keyMatch(contract)} WHERE t.${v} > i.${v}`))?.['n'] ?? 0);
    const merged = contract.columns.map((c) => {
      if (keyCols.has(c.name)) return `i.${ident(c.name)}`;
      const newer = `(t.${v} IS NULL OR i.${v} >= t.${v})`;
      return `CASE WHEN ${newer} THEN (CASE WHEN ${unknown('i', c.name)} THEN coalesce(t.${ident(c.name)}, i.${ident(c.name)}) ELSE i.${ident(c.name)} END)
        ELSE (CASE WHEN ${unknown('t', c.name)} THEN coalesce(i.${ident(c.name)}, t.${ident(c.name)}) ELSE t.${ident(c.name)} END) END AS ${ident(c.name)}`;
    });
    await db.run(`CREATE TEMP TABLE ${ident(T.merged)} AS SELECT ${merged.join(', ')} FROM ${ident(T.incoming)} i LEFT JOIN ${target} t ON ${keyMatch(contract)}`);
    await db.run(`DELETE FROM ${target} t USING ${ident(T.merged)} i WHERE ${keyMatch(contract)}`);
    const written = await db.run(`INSERT INTO ${target} (${insertCols}) SELECT ${identList(cols)}, $ingest_id FROM ${ident(T.merged)}`, { ingest_id: result.ingest_id });
    result.rows_loaded = written - result.rows_superseded;
  } else if (contract.versionColumn && targetHasRows) {
    const v = ident(contract.versionColumn);
    await db.run(`CREATE TEMP TABLE ${ident(T.incoming)} AS ${good}`);
    result.rows_superseded = await db.run(
      `DELETE FROM ${ident(T.incoming)} i USING ${target} t WHERE ${keyMatch(contract)} AND t.${v} > i.${v}`,
    );
    await db.run(`DELETE FROM ${target} t USING ${ident(T.incoming)} i WHERE ${keyMatch(contract)}`);
    result.rows_loaded = await db.run(`INSERT INTO ${target} (${insertCols}) SELECT ${identList(cols)}, $ingest_id FROM ${ident(T.incoming)}`, { ingest_id: result.ingest_id });
  } else if (contract.keepKnown && targetHasRows) {
    // An empty or `unknown` value keeps what the warehouse already knows (another source filled it).
    const merged = contract.columns.map((c) =>
      keyCols.has(c.name) || c.type === 'string_list'
        ? `i.${ident(c.name)}`
        : `CASE WHEN ${unknown('i', c.name)} THEN coalesce(t.${ident(c.name)}, i.${ident(c.name)}) ELSE i.${ident(c.name)} END AS ${ident(c.name)}`,
    );
    await db.run(`CREATE TEMP TABLE ${ident(T.incoming)} AS SELECT ${merged.join(', ')} FROM (${good}) i LEFT JOIN ${target} t ON ${keyMatch(contract)}`);
    await db.run(`DELETE FROM ${target} t USING ${ident(T.incoming)} i WHERE ${keyMatch(contract)}`);
    result.rows_loaded = await db.run(`INSERT INTO ${target} (${insertCols}) SELECT ${identList(cols)}, $ingest_id FROM ${ident(T.incoming)}`, { ingest_id: result.ingest_id });
  } else {
    if (targetHasRows) await db.run(`DELETE FROM ${target} t USING (${good}) i WHERE ${keyMatch(contract)}`);
    result.rows_loaded = await db.run(`INSERT INTO ${target} (${insertCols}) SELECT ${identList(cols)}, $ingest_id FROM (${good})`, { ingest_id: result.ingest_id });
  }
  result.status = 'loaded';
}
