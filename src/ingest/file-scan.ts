import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { compiledScript, workerExecArgv } from '../core/package-root.js';
import { containsIdentityCode } from './identity-code.js';

// A file's SHA-256 and line endings: read in full before a load, and light to import (no
// DuckDB), so the CLI can start it in a worker thread while the rest of kiinni loads.

/** Line breaks of a text file: bare LF, CR LF, and CR alone. */
export interface LineEndings {
  lf: number;
  crlf: number;
  cr: number;
}

/**
 * SHA-256 of the file contents and its line endings. Most files have no carriage return at all:
 * then `endings` is null (every line ends in LF) and the file is read once; only a file with a CR
 * is read a second time to count each kind.
 */
export async function scanFile(file: string): Promise<{ sha256: string; endings: LineEndings | null }> {
  const hash = createHash('sha256');
  let sawCr = false;
  // Large reads into one buffer: half the time of a read stream's 1 MiB chunks on a 280 MB file.
  const buffer = Buffer.allocUnsafe(8 << 20);
  const handle = await open(file, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      if (!sawCr && chunk.indexOf(0x0d) >= 0) sawCr = true;
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), endings: sawCr ? await countLineEndings(file) : null };
}

async function countLineEndings(file: string): Promise<LineEndings> {
  let lfAll = 0;
  let crAll = 0;
  let crlf = 0;
  let lastWasCr = false;
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const chunk = c as Buffer;
    if (lastWasCr && chunk[0] === 0x0a) crlf++;
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lfAll++;
    for (let i = chunk.indexOf(0x0d); i >= 0; i = chunk.indexOf(0x0d, i + 1)) {
      crAll++;
      if (chunk[i + 1] === 0x0a) crlf++;
    }
    lastWasCr = chunk[chunk.length - 1] === 0x0d;
  }
  return { lf: lfAll - crlf, crlf, cr: crAll - crlf };
}

/** True when a file's lines end in more than one way (CR LF and LF, or a stray CR among them). */
export function hasMixedLineEndings(e: LineEndings): boolean {
  return [e.lf, e.crlf, e.cr].filter((n) => n > 0).length > 1;
}

export type FileScan = Awaited<ReturnType<typeof scanFile>>;

/** A scan started ahead in a worker thread: its result (null if the worker failed), and a way to stop it. */
export interface ScanAhead {
  result: Promise<FileScan | null>;
  stop(): void;
}

/**
 * Starts scanFile for each file in a worker thread of its own, to overlap reading and hashing
 * with what comes before the load (loading kiinni's modules and DuckDB, opening the warehouse).
 * A file whose path looks like it holds an identity code is not read (ingest refuses it
 * unread). A worker that fails resolves to null: the load then scans the file itself and meets
 * the same error in its own words.
 */
export function scanAhead(files: readonly string[]): Map<string, ScanAhead> {
  const out = new Map<string, ScanAhead>();
  for (const file of new Set(files)) {
    if (containsIdentityCode(file)) continue;
    const worker = new Worker(compiledScript('./scan-worker.js', import.meta.url), { workerData: { file }, execArgv: workerExecArgv() });
    const result = new Promise<FileScan | null>((resolve) => {
      worker.once('message', (m) => resolve(m as FileScan));
      worker.once('error', () => resolve(null));
      worker.once('exit', () => resolve(null));
    });
    out.set(file, { result, stop: () => void worker.terminate() });
  }
  return out;
}
