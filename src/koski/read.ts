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

async function* documentsOfFile(file: string): AsyncGenerator<{ doc: unknown; where: string }> {
  // A file whose first non-blank character opens an object that closes on the same line is
  // JSON lines; anything else is read whole as one JSON value (a person's document is small).
  const head = readHead(file);
  const firstLine = head.replace(/^\uFEFF/, '').split('\n').find((l) => l.trim() !== '') ?? '';
  let oneLine = false;
  try {
    JSON.parse(firstLine);
    oneLine = true;
  } catch {
    oneLine = false;
  }
  if (oneLine) {
    let n = 0;
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const raw of lines) {
      n++;
      const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (!line.trim()) continue;
      let doc: unknown;
      try {
        doc = JSON.parse(line);
      } catch {
        throw refused(file, `line ${n} is not a JSON document (a KOSKI export in JSON lines has one document per line).`, 'Export the file again; kiinni loads nothing of it.');
      }
      yield* asDocuments(doc, file, `line ${n}`);
    }
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw refused(file, 'not valid JSON.', 'A KOSKI export is a document {"henkilö": …, "opiskeluoikeudet": […]}, an array of them, or JSON lines; export it again.');
  }
  yield* asDocuments(doc, file, 'document');
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
