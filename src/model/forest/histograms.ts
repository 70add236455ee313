import { Worker } from 'node:worker_threads';

/** Bins per feature in a histogram (bin 0: missing; 1…255: values). */
export const BINS = 256;
/** Numbers per bin: gradient sum, hessian sum, row count (and one unused, so a bin is half a cache line). */
export const STRIDE = 4;
/** Numbers in one histogram slot: every feature's bins. */
export const slotSize = (nFeatures: number): number => nFeatures * BINS * STRIDE;
/** Where feature f's histogram of slot `slot` begins in the arena: bin b's sums are at + b * STRIDE (g, h, count). */
export const histogramAt = (nFeatures: number, slot: number, f: number): number => (slot * nFeatures + f) * BINS * STRIDE;

/**
 * A node of at least 2 × CHUNK_MIN_ROWS rows is built in parts of its rows (one per
 * CHUNK_MIN_ROWS, at most CHUNKS), summed in a fixed order: the parts can go to different threads,
 * and the sums (so the model) do not depend on how many threads there are.
 */
export const CHUNK_MIN_ROWS = 4096;
export const CHUNKS = 4;

/** The shared arrays a node's histogram is built from, and the arena its histograms live in. */
export interface HistogramData {
  n: number;
  nFeatures: number;
  /** bins[i * nFeatures + f] (row-major: a row's bins are read together for every feature). */
  bins: Uint8Array;
  g: Float64Array;
  h: Float64Array;
  /** The tree's rows; a node owns rows[start, end). */
  rows: Int32Array;
  /** 1 for a feature the tree may split on. */
  usable: Uint8Array;
  /** Histogram slots (see histogramAt). */
  hist: Float64Array;
  /** One slot per chunk of a large node. */
  chunks: Float64Array;
}

/**
 * Adds rows[start, end) into the histograms at `out[o …]` (zeroed first). Row by row, every
 * feature at once: consecutive additions go to different histograms, so none waits for the one
 * before (twice as fast as one feature at a time, where neighbouring rows often share a bin).
 * Features the tree may not use are added too when most are usable (cheaper than skipping them).
 */
export function buildRows(d: HistogramData, start: number, end: number, out: Float64Array, o: number): void {
  const { nFeatures: F, bins, g, h, rows, usable } = d;
  out.fill(0, o, o + slotSize(F));
  // Below, ((f << 8) + bin) << 2 is (f * BINS + bin) * STRIDE.
  let used = 0;
  for (let f = 0; f < F; f++) used += usable[f]!;
  if (2 * used >= F) {
    for (let k = start; k < end; k++) {
      const i = rows[k]!;
      const gi = g[i]!;
      const hi = h[i]!;
      const r = i * F;
      for (let f = 0; f < F; f++) {
        const b = o + (((f << 8) + bins[r + f]!) << 2);
        out[b]! += gi;
        out[b + 1]! += hi;
        out[b + 2]! += 1;
      }
    }
    return;
  }
  const features = new Int32Array(used);
  for (let f = 0, j = 0; f < F; f++) if (usable[f]) features[j++] = f;
  for (let k = start; k < end; k++) {
    const i = rows[k]!;
    const gi = g[i]!;
    const hi = h[i]!;
    const r = i * F;
    for (let j = 0; j < used; j++) {
      const f = features[j]!;
      const b = o + (((f << 8) + bins[r + f]!) << 2);
      out[b]! += gi;
      out[b + 1]! += hi;
      out[b + 2]! += 1;
    }
  }
}

/** First row of chunk c of `chunks` of rows[start, end). */
const chunkStart = (start: number, end: number, c: number, chunks: number) => start + Math.floor(((end - start) * c) / chunks);

/** Chunks a node of `rows` rows is built in: one per CHUNK_MIN_ROWS, at most CHUNKS (the rows alone decide). */
const chunksOf = (rows: number) => Math.min(CHUNKS, Math.floor(rows / CHUNK_MIN_ROWS));

/**
 * Builds chunks of rows[start, end) into their chunk slots until none is left: each thread takes
 * the next chunk not yet taken (`next`, shared), so a thread that starts late takes fewer.
 */
function buildChunks(d: HistogramData, start: number, end: number, chunks: number, ctl: Int32Array): void {
  const size = slotSize(d.nFeatures);
  for (let c = Atomics.add(ctl, NEXT, 1); c < chunks; c = Atomics.add(ctl, NEXT, 1)) {
    buildRows(d, chunkStart(start, end, c, chunks), chunkStart(start, end, c + 1, chunks), d.chunks, c * size);
  }
}

// Control words shared with the helper threads.
const GENERATION = 0;
const START = 1;
const END = 2;
const DONE = 3;
const CHUNK_COUNT = 4;
const NEXT = 5;
const STOP = -1;
/** A helper that does not answer within this long has failed (a bug, not a slow machine). */
const WAIT_MS = 120_000;
/** How long a thread polls before it sleeps. */
const SPIN_MS = 2;

/**
 * Waits while `pending(ctl[at])`: polls for SPIN_MS, then sleeps (Atomics.wait) until told. A
 * sleeping thread took up to a millisecond to wake on a two-core virtual machine, longer than most
 * nodes' histograms; the gaps between builds are far shorter than SPIN_MS, so during a round
 * nobody sleeps (as OpenMP's threads spin before they sleep). False when `timeoutMs` passed.
 */
function waitWhile(ctl: Int32Array, at: number, pending: (value: number) => boolean, timeoutMs: number): boolean {
  const t0 = performance.now();
  for (let k = 1; pending(Atomics.load(ctl, at)); k++) {
    if ((k & 1023) !== 0) continue;
    const waited = performance.now() - t0;
    if (waited > timeoutMs) return false;
    if (waited > SPIN_MS) {
      const value = Atomics.load(ctl, at);
      if (pending(value)) Atomics.wait(ctl, at, value, Math.min(1000, timeoutMs));
    }
  }
  return true;
}

/**
 * Builds node histograms. A large node's rows are cut into parts: this thread and the helper
 * threads each take the next part not yet taken, then this thread sums them in order into the
 * node's slot. The thread that grows the tree waits for the helpers (waitWhile): a histogram is
 * the bulk of a boosting round and the tree cannot go on without it.
 */
export class HistogramBuilder {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(8 * 4));
  private readonly workers: Worker[] = [];

  constructor(
    readonly data: HistogramData,
    helpers: number,
    workerUrl: URL,
  ) {
    for (let w = 0; w < Math.min(CHUNKS - 1, helpers); w++) {
      const worker = new Worker(workerUrl, { workerData: { data, ctl: this.ctl } });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Fills histogram `slot` from rows[start, end). */
  build(start: number, end: number, slot: number): void {
    const d = this.data;
    const size = slotSize(d.nFeatures);
    const o = slot * size;
    const parts = chunksOf(end - start);
    if (parts <= 1) return buildRows(d, start, end, d.hist, o);
    const c = this.ctl;
    c[NEXT] = 0;
    if (this.workers.length) {
      c[START] = start;
      c[END] = end;
      c[CHUNK_COUNT] = parts;
      Atomics.store(c, DONE, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
    }
    buildChunks(d, start, end, parts, c);
    if (!waitWhile(c, DONE, (done) => done < this.workers.length, WAIT_MS)) throw new Error('a boosting helper thread did not answer');
    const { hist, chunks } = d;
    hist.set(chunks.subarray(0, size), o);
    for (let k = 1; k < parts; k++) {
      const from = k * size;
      for (let j = 0; j < size; j++) hist[o + j]! += chunks[from + j]!;
    }
  }

  /** Ends the helper threads. */
  close(): void {
    if (!this.workers.length) return;
    this.ctl[START] = STOP;
    Atomics.add(this.ctl, GENERATION, 1);
    Atomics.notify(this.ctl, GENERATION);
    for (const w of this.workers) void w.terminate();
  }
}

/** A helper thread's loop (boost-worker.ts): wait for a generation, build its chunks, report. */
export function helperLoop(d: { data: HistogramData; ctl: Int32Array }): void {
  const c = d.ctl;
  let seen = 0;
  for (;;) {
    waitWhile(c, GENERATION, (g) => g === seen, Infinity);
    seen = Atomics.load(c, GENERATION);
    if (c[START] === STOP) return;
    buildChunks(d.data, c[START]!, c[END]!, c[CHUNK_COUNT]!, c);
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
}
