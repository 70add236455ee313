import { createReadStream, createWriteStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { ident, literal } from '../db/sql.js';
import { containsIdentityCode } from './identity-code.js';

/** File formats kiinni reads with DuckDB's own readers. */
export type SourceFormat = 'csv' | 'parquet' | 'jsonl';

/** What kiinni shows and stores instead of a file name that holds an identity code. */
export const withheldFileName = '(file name withheld: it holds an identity code)';

/** True when a path (its name or a folder above it) holds an identity code. */
export function pathHoldsIdentityCode(file: string): boolean {
  return containsIdentityCode(file);
}

/** A file's name as kiinni may show and store it: never one holding an identity code. */
export function shownFileName(file: string): string {
  return pathHoldsIdentityCode(file) ? withheldFileName : path.basename(file);
}

/** A refused input file: the message names the file (unless its name holds a code) and says what to do. */
export function refuse(file: string, problem: string, hint?: string): KiinniError {
  return new KiinniError(ErrorCode.InputRefused, `${shownFileName(file)}: ${problem}`, hint);
}

/**
 * Refuses a header (CSV header cells, JSON or Parquet column names) that holds an identity
 * code, naming only the column's position: a header can be a data row of a file without one.
 */
export function refuseCodesInHeader(file: string, columns: readonly string[]): void {
  const at = columns.findIndex((c) => containsIdentityCode(c));
  if (at >= 0) {
    throw refuse(
      file,
      `column ${at + 1} of the header looks like a Finnish personal identity code (henkilötunnus). The whole file was refused and nothing was stored.`,
      'Check that the first line is the header, and that no column is named after a person; then load the file again.',
    );
  }
}

/** Format from the profile, else from the file extension. */
export function detectFormat(file: string, fromProfile?: SourceFormat): SourceFormat {
  if (fromProfile) return fromProfile;
  const ext = path.extname(file).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') return 'csv';
  throw refuse(file, `unknown file type '${ext || '(none)'}'.`, 'Name files .csv, .parquet or .jsonl, or give --profile with a format.');
}


/**
 * Writes a copy of a text file with every line break as LF (CR LF and a CR alone each become
 * one LF), streamed, readable by the owner only. DuckDB's CSV reader expects one kind per file.
 */
export async function writeWithLfEndings(file: string, out: string): Promise<void> {
  const w = createWriteStream(out, { mode: 0o600 });
  let pendingCr = false;
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) {
    let chunk = c as Buffer;
    if (pendingCr) chunk = Buffer.concat([Buffer.from([0x0d]), chunk]);
    pendingCr = chunk[chunk.length - 1] === 0x0d;
    if (pendingCr) chunk = chunk.subarray(0, chunk.length - 1);
    const text = chunk.toString('latin1').replace(/\r\n?/g, '\n');
    if (!w.write(Buffer.from(text, 'latin1'))) await new Promise<void>((r) => w.once('drain', () => r()));
  }
  if (pendingCr) w.write(Buffer.from([0x0a]));
  await new Promise<void>((resolve, reject) => w.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** How much of a file is read to find its header. */
const HEAD_BYTES = 64 * 1024;

function readHead(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Refuses files that are missing, empty, binary where text is expected, or not Parquet. */
export function probeFile(file: string, format: SourceFormat): { size: number; head: Buffer } {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw refuse(file, 'file not found.', 'Check the path.');
  }
  if (size === 0) throw refuse(file, 'the file is empty.', 'Export it again.');
  const head = readHead(file, HEAD_BYTES);
  if (format === 'parquet') {
    if (head.subarray(0, 4).toString('latin1') !== 'PAR1') throw refuse(file, 'not a Parquet file (no PAR1 header).', 'Check that the file is the Parquet export, or rename it .csv.');
  } else if (head.includes(0)) {
    throw refuse(file, 'the file contains binary data, not text.', 'Export the data as CSV (UTF-8) or JSON lines and load that file.');
  }
  return { size, head };
}

/** Splits one CSV line on `delim`, honouring double quotes. */
export function splitCsvLine(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export interface CsvHeader {
  delimiter: string;
  columns: string[];
  /** 'utf-8' or 'latin-1' (a Windows-1252 export). */
  encoding: 'utf-8' | 'latin-1';
}

/**
 * Reads the header line (after `skipRows` lines) and picks the delimiter that finds the most
 * expected column names (`,` `;` tab). Column names are trimmed, BOM removed.
 */
export function readCsvHeader(file: string, head: Buffer, expected: readonly string[], opts: { delimiter?: string | undefined; skipRows: number; encoding?: 'utf-8' | 'latin-1' | undefined }): CsvHeader {
  let start = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  for (let skipped = 0; skipped < opts.skipRows; skipped++) {
    const nl = head.indexOf(0x0a, start);
    if (nl < 0) throw refuse(file, `fewer than ${opts.skipRows + 1} lines: no header found.`);
    start = nl + 1;
  }
  let end = head.indexOf(0x0a, start);
  if (end < 0) {
    if (head.length >= HEAD_BYTES) throw refuse(file, `the header line is longer than ${HEAD_BYTES / 1024} KB, or the file has no line breaks.`, 'Check that the file is a CSV export with one record per line.');
    end = head.length;
  }
  const bytes = head.subarray(start, end);
  const encoding = opts.encoding ?? (isUtf8(bytes) ? 'utf-8' : 'latin-1');
  const line = bytes.toString(encoding === 'utf-8' ? 'utf8' : 'latin1').replace(/\r$/, '');
  const wanted = new Set(expected.map((e) => e.trim().toLowerCase()));
  const candidates = opts.delimiter ? [opts.delimiter] : [',', ';', '\t'];
  let best: { delimiter: string; columns: string[]; score: number } | undefined;
  for (const d of candidates) {
    const columns = splitCsvLine(line, d).map((c) => c.trim());
    const score = columns.filter((c) => wanted.has(c.toLowerCase())).length * 1000 + columns.length;
    if (!best || score > best.score) best = { delimiter: d, columns, score };
  }
  const { delimiter, columns } = best!;
  refuseCodesInHeader(file, columns);
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (c === '') throw refuse(file, `column ${i + 1} of the header has no name.`, 'Every column needs a header name.');
    const lower = c.toLowerCase();
    // Positions, not names: a header cell is quoted nowhere (the first line may be a data row).
    if (seen.has(lower)) throw refuse(file, `column ${i + 1} of the header has the same name as column ${columns.findIndex((x) => x.toLowerCase() === lower) + 1}.`, 'Remove or rename one of them.');
    seen.add(lower);
  });
  return { delimiter, columns, encoding };
}

/** DuckDB's CSV reader over every column as text, with rejected lines kept in `rejects`. */
/**
 * Every field of a CSV file as text, or as `types` gives by source column. Lines the reader cannot read go to the `rejects` table; with
 * `rejects` undefined such a line fails the query instead.
 */
export function csvReaderSql(file: string, header: CsvHeader, skipRows: number, rejects: string | undefined, types?: ReadonlyMap<string, string>): string {
  const columns = `{${header.columns.map((c) => `${literal(c)}: ${literal(types?.get(c) ?? 'VARCHAR')}`).join(', ')}}`;
  const stored = rejects === undefined ? '' : `,
    store_rejects = true, rejects_table = ${literal(rejects)}, rejects_scan = ${literal(rejects + '_scan')}`;
  return `SELECT * FROM read_csv(${literal(file)},
    auto_detect = false, header = true, skip = ${skipRows}, delim = ${literal(header.delimiter)},
    quote = '"', escape = '"', columns = ${columns}, null_padding = true,
    encoding = ${literal(header.encoding)}${stored})`;
}

/** The column names DuckDB sees in a Parquet or JSON-lines file. */
export function describeSql(file: string, format: 'parquet' | 'jsonl'): string {
  return format === 'parquet'
    ? `DESCRIBE SELECT * FROM read_parquet(${literal(file)})`
    : `DESCRIBE SELECT * FROM read_json(${literal(file)}, format = 'newline_delimited')`;
}

/** Parquet or JSON lines, every column cast to text so all formats are checked alike. */
export function typedReaderSql(file: string, format: 'parquet' | 'jsonl', columns: readonly string[]): string {
  const cols = columns.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`).join(', ');
  const from = format === 'parquet' ? `read_parquet(${literal(file)})` : `read_json(${literal(file)}, format = 'newline_delimited')`;
  return `SELECT ${cols} FROM ${from}`;
}
