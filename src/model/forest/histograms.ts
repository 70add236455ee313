import { Worker } from 'node:worker_threads';

/** Bins per feature in a histogram (bin 0: missing; 1…255: values). */
export const BINS = 256;

/** The shared arrays a node's histogram is built from, and the arena its histograms live in. */
export interface HistogramData {
  n: number;
  nFeatures: number;
  /** bins[f * n + i] (feature-major). */
  bins: Uint8Array;
  g: Float64Array;
  h: Float64Array;
  /** The tree's rows; a node owns rows[start, end). */
  rows: Int32Array;
  /** Gradients and hessians in the order of `rows` (og[k] = g[rows[k]]), gathered once per node for all features. */
  og: Float64Array;
  oh: Float64Array;
  /** 1 for a feature the tree may split on. */
  usable: Uint8Array;
  /** Histogram slots: slot s of feature f at [(s * nFeatures + f) * BINS]. */
  hg: Float64Array;
  hh: Float64Array;
  hc: Int32Array;
}

/** Where feature f's histogram of slot `slot` begins in the arena (hg, hh, hc). */
export const histogramAt = (nFeatures: number, slot: number, f: number): number => (slot * nFeatures + f) * BINS;

/** Builds the histograms of features f ≡ part (mod parts) of rows[start, end) into `slot`. */
export function buildPart(d: HistogramData, start: number, end: number, slot: number, part: number, parts: number): void {
  const { n, nFeatures, bins, og, oh, rows, usable, hg, hh, hc } = d;
  for (let f = part; f < nFeatures; f += parts) {
    const o = histogramAt(nFeatures, slot, f);
    hg.fill(0, o, o + BINS);
    hh.fill(0, o, o + BINS);
    hc.fill(0, o, o + BINS);
    if (!usable[f]) continue;
    const col = f * n;
    for (let k = start; k < end; k++) {
      const b = o + bins[col + rows[k]!]!;
      hg[b]! += og[k]!;
      hh[b]! += oh[k]!;
      hc[b]!++;
    }
  }
}

/** Gathers the gradients and hessians of rows[start, end) into node order (og, oh). */
function gather(d: HistogramData, start: number, end: number): void {
  const { g, h, rows, og, oh } = d;
  for (let k = start; k < end; k++) {
    const i = rows[k]!;
    og[k] = g[i]!;
    oh[k] = h[i]!;
  }
}

// Control words shared with the helper threads.
const GENERATION = 0;
const START = 1;
const END = 2;
const SLOT = 3;
const DONE = 4;
const STOP = -1;
/** A helper that does not answer within this long has failed (a bug, not a slow machine). */
const WAIT_MS = 120_000;

/**
 * Builds node histograms over all features, this thread taking one share of the features and each
 * helper thread another. The thread that grows the tree blocks while they work (Atomics.wait):
 * a histogram is the bulk of a boosting round and the tree cannot go on without it.
 */
export class HistogramBuilder {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(8 * 4));
  private readonly workers: Worker[] = [];

  constructor(
    readonly data: HistogramData,
    helpers: number,
    workerUrl: URL,
  ) {
    for (let w = 0; w < helpers; w++) {
      const worker = new Worker(workerUrl, { workerData: { data, ctl: this.ctl, part: w + 1, parts: helpers + 1 } });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Fills histogram `slot` from rows[start, end). */
  build(start: number, end: number, slot: number): void {
    const parts = this.workers.length + 1;
    gather(this.data, start, end);
    if (parts === 1) return buildPart(this.data, start, end, slot, 0, 1);
    const c = this.ctl;
    c[START] = start;
    c[END] = end;
    c[SLOT] = slot;
    Atomics.store(c, DONE, 0);
    Atomics.add(c, GENERATION, 1);
    Atomics.notify(c, GENERATION);
    buildPart(this.data, start, end, slot, 0, parts);
    for (let done = Atomics.load(c, DONE); done < this.workers.length; done = Atomics.load(c, DONE)) {
      if (Atomics.wait(c, DONE, done, WAIT_MS) === 'timed-out') throw new Error('a boosting helper thread did not answer');
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

/** A helper thread's loop (boost-worker.ts): wait for a generation, build its share, report. */
export function helperLoop(d: { data: HistogramData; ctl: Int32Array; part: number; parts: number }): void {
  const c = d.ctl;
  let seen = 0;
  for (;;) {
    Atomics.wait(c, GENERATION, seen);
    seen = Atomics.load(c, GENERATION);
    if (c[START] === STOP) return;
    buildPart(d.data, c[START]!, c[END]!, c[SLOT]!, d.part, d.parts);
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
}
