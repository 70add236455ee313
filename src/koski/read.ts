import { closeSync, createReadStream, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { shownFileName } from '../ingest/index.js';

/**
 * The KOSKI documents of one export, one at a time (bounded memory: one person's document at a
 * time). An export is a single document (`.json`, pretty or compact), a JSON array of them,
 * JSON lines (one document per line), or a directory of such files — the providers' bulk export
 * (massaluovutus) writes one JSON file per person.
 */
export async function* koskiDocuments(source: string): AsyncGenerator<{ doc: unknown; where: string }> {
  let stat;
  try {
    stat = statSync(source);
  } catch {
    throw new KiinniError(ErrorCode.NotFound, `${shownFileName(source)}: not found.`, 'Give a KOSKI export: a .json or .jsonl file, or a directory of them.');
  }
  if (stat.isDirectory()) {
    const files = readdirSync(source, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.(json|jsonl|ndjson)$/i.test(e.name))
      .map((e) => e.name)
      .sort();
    for (const f of files) yield* documentsOfFile(path.join(source, f));
    return;
  }
  yield* documentsOfFile(source);
}

const refused = (file: string, problem: string, hint: string) => new KiinniError(ErrorCode.InputRefused, `${shownFileName(file)}: ${problem}`, hint);

/** Files up to this size are read whole (a person's document, a small export); larger ones are streamed as JSON lines. */
const WHOLE_FILE_BYTES = 64 * 1024 * 1024;

async function* documentsOfFile(file: string): AsyncGenerator<{ doc: unknown; where: string }> {
  if (statSync(file).size <= WHOLE_FILE_BYTES) {
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    try {
      // One JSON value: a document (pretty or compact) or an array of them.
      yield* asDocuments(JSON.parse(text), file, 'document');
      return;
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
    }
    // Not one value: JSON lines, one document per line.
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      yield* asDocuments(parseLine(file, line, i + 1), file, `line ${i + 1}`);
    }
    return;
  }
  // A large export: JSON lines, streamed (one document in memory at a time).
  const head = readHead(file).replace(/^\uFEFF/, '');
  const firstLine = head.split('\n').find((l) => l.trim() !== '') ?? '';
  try {
    JSON.parse(firstLine);
  } catch {
    throw refused(file, 'a large KOSKI export must be JSON lines (one document per line).', "Export it again as JSON lines, or as the bulk export's one file per person.");
  }
  let n = 0;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (!line.trim()) continue;
    yield* asDocuments(parseLine(file, line, n), file, `line ${n}`);
  }
}

function parseLine(file: string, line: string, n: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw refused(file, `line ${n} is not a JSON document (a KOSKI export is one document, an array of them, or one document per line).`, 'Export the file again; kiinni loads nothing of it.');
  }
}

function* asDocuments(value: unknown, file: string, where: string): Generator<{ doc: unknown; where: string }> {
  const list = Array.isArray(value) ? value : [value];
  for (const [i, doc] of list.entries()) {
    const d = doc as Record<string, unknown> | null;
    if (!d || typeof d !== 'object' || !('henkilö' in d) || !Array.isArray(d['opiskeluoikeudet'])) {
      throw refused(file, `${where}${Array.isArray(value) ? ` item ${i + 1}` : ''} is not a KOSKI Oppija document (it needs "henkilö" and "opiskeluoikeudet").`, "Give kiinni KOSKI's own documents (the API's oppija or the bulk export's per-person files).");
    }
    yield { doc, where: Array.isArray(value) ? `${where} item ${i + 1}` : where };
  }
}

/** The first 64 KB of a file: enough to see whether its first line is a whole document. */
function readHead(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
