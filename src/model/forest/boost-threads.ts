import { Worker } from 'node:worker_threads';
import { leafOf, type BoostTree } from './boost-tree.js';
import { BINS, histogramAt, searchSplit, SPLIT_WORDS, STRIDE, type SplitRules } from './histogram.js';

/**
 * What boosting's threads share: the binned rows, their labels, log-odds, gradients and hessians,
 * the tree being grown, its histograms, and the job they are working on.
 */
export interface BoostData {
  n: number;
  nFeatures: number;
  /** bins[i * nFeatures + f] (row-major: a row's bins are read together for every feature). */
  bins: Uint8Array;
  y: Uint8Array;
  /** Each training row's log-odds so far. */
  raw: Float64Array;
  g: Float64Array;
  h: Float64Array;
  /** The tree's rows: its subsample rows[0, m), each node owning rows[start, end) of them; the others after. */
  rows: Int32Array;
  /** Room for rows on their way to a node's right child (as many as rows). */
  scratch: Int32Array;
  /** The same bins feature by feature (byFeature[f * n + i]): a node's rows, ascending, read one feature's bins in order. */
  byFeature: Uint8Array;
  /** For a partition: 1 for each bin of the split feature that goes left. */
  goes: Uint8Array;
  /** For a partition: how many of its part of the rows each thread sent left. */
  lefts: Int32Array;
  /** 1 for a feature the tree may split on. */
  usable: Uint8Array;
  /** 1 for a categorical feature. */
  categorical: Uint8Array;
  /** The tree being grown (room for the largest). */
  tree: BoostTree;
  /** Histogram slots (see histogramAt). */
  hist: Float64Array;
  /** The job (see the J_ words). */
  job: Float64Array;
  /** Each thread's best split of each of a node job's two leaves (SPLIT_WORDS each). */
  found: Float64Array;
  rules: SplitRules;
}

// Jobs: a node's histograms and splits, the gradients of rows[0, end), the tree's value for the
// rows after the subsample (they walk the tree), or a leaf's rows parted between its children.
const NODE = 1;
const GRADIENTS = 2;
const WALK = 3;
const PARTITION = 4;

// The job's words. A node job: histograms of rows[start, end) into a slot, subtracted from the
// parent's slot (−1: none), and two leaves to search (slot −1: none), each as slot and rows; the
// built rows are leaf SMALL, the other leaf is the parent's sums (G, H) minus theirs.
const J_KIND = 0;
const J_START = 1;
const J_END = 2;
const J_SLOT = 3;
const J_PARENT = 4;
const J_G = 5;
const J_H = 6;
const J_SMALL = 7;
/** A partition's split feature. */
const J_FEATURE = J_SMALL;
const J_LEAF = 8;
/** How many of the usable features the first of two threads takes. */
const J_CUT = J_LEAF + 2 * 2;
/** Numbers of the job array. */
export const JOB_WORDS = J_CUT + 1;

/** A leaf to search in a node job: its slot and rows (null: not searched). */
export type JobLeaf = { slot: number; count: number } | null;

/** What a node job found: the built rows' gradient and hessian sums, and each leaf's best split (null: none gains). */
export interface NodeFound {
  G: number;
  H: number;
  splits: [Float64Array | null, Float64Array | null];
}

/**
 * The usable features thread t of `threads` works on: a run of them, the first thread's never
 * empty (its sums are the job's). Two threads split them where the job says (`cut`), more evenly.
 * Which thread works on a feature does not change any number.
 */
function featuresOf(usable: Uint8Array, t: number, threads: number, cut: number): Int32Array {
  const used: number[] = [];
  for (let f = 0; f < usable.length; f++) if (usable[f]) used.push(f);
  if (threads === 2) return Int32Array.from(t === 0 ? used.slice(0, cut) : used.slice(cut));
  return Int32Array.from(used.slice(Math.ceil((t * used.length) / threads), Math.ceil(((t + 1) * used.length) / threads)));
}

/** Thread t's part of rows[start, end) (contiguous, in order). */
const partOf = (start: number, end: number, t: number, threads: number): [number, number] => [start + Math.floor(((end - start) * t) / threads), start + Math.floor(((end - start) * (t + 1)) / threads)];

/**
 * Adds rows[start, end) into `features`' histograms of slot `slot` (zeroed first) and returns the
 * rows' gradient and hessian sums (none without features). Row by row, the features at once: consecutive additions go to
 * different histograms, so none waits for the one before (twice as fast as one feature at a time,
 * where neighbouring rows often share a bin). When most of the run from the first to the last
 * feature is in `features`, the whole run is added (cheaper than skipping the others).
 */
function buildRows(d: BoostData, start: number, end: number, slot: number, features: Int32Array): [number, number] {
  const { nFeatures: F, bins, g, h, rows, hist } = d;
  const used = features.length;
  let G = 0;
  let H = 0;
  if (!used) return [G, H];
  const lo = features[0]!;
  const hi = features[used - 1]! + 1;
  for (let j = 0; j < used; j++) {
    const o = histogramAt(F, slot, features[j]!);
    hist.fill(0, o, o + BINS * STRIDE);
  }
  // Below, o + ((f << 8) + bin) << 2 is histogramAt(F, slot, f) + bin * STRIDE.
  const o = histogramAt(F, slot, 0);
  if (2 * used >= hi - lo) {
    for (let k = start; k < end; k++) {
      const i = rows[k]!;
      const gi = g[i]!;
      const hi2 = h[i]!;
      const r = i * F;
      for (let f = lo; f < hi; f++) {
        const b = o + (((f << 8) + bins[r + f]!) << 2);
        hist[b]! += gi;
        hist[b + 1]! += hi2;
        hist[b + 2]! += 1;
      }
    }
  } else {
    for (let k = start; k < end; k++) {
      const i = rows[k]!;
      const gi = g[i]!;
      const hi2 = h[i]!;
      const r = i * F;
      for (let j = 0; j < used; j++) {
        const f = features[j]!;
        const b = o + (((f << 8) + bins[r + f]!) << 2);
        hist[b]! += gi;
        hist[b + 1]! += hi2;
        hist[b + 2]! += 1;
      }
    }
  }
  // The sums in a loop of their own: inside the one above they slowed it by half.
  for (let k = start; k < end; k++) {
    const i = rows[k]!;
    G += g[i]!;
    H += h[i]!;
  }
  return [G, H];
}

/**
 * Thread t's part of a node job: its features' histograms of the rows, the parent's minus them,
 * and the best split of each leaf over its features (in `found`). Returns the rows' sums (every
 * thread sums them in the same order, so the same numbers whatever the threads).
 */
function nodeWork(d: BoostData, t: number, threads: number): [number, number] {
  const { job, hist, nFeatures: F, found } = d;
  const features = featuresOf(d.usable, t, threads, job[J_CUT]! | 0);
  // Whole numbers as such (| 0): loops indexed by a double run at a fraction of the speed.
  const slot = job[J_SLOT]! | 0;
  const [G, H] = buildRows(d, job[J_START]! | 0, job[J_END]! | 0, slot, features);
  const parent = job[J_PARENT]! | 0;
  if (parent >= 0) {
    for (let j = 0; j < features.length; j++) {
      const from = histogramAt(F, parent, features[j]!);
      const sub = histogramAt(F, slot, features[j]!);
      for (let k = 0; k < BINS * STRIDE; k++) hist[from + k]! -= hist[sub + k]!;
    }
  }
  const small = job[J_SMALL]!;
  for (let leaf = 0; leaf < 2; leaf++) {
    const at = (t * 2 + leaf) * SPLIT_WORDS;
    const w = J_LEAF + leaf * 2;
    if (job[w]! < 0) found.fill(0, at, at + SPLIT_WORDS);
    else {
      const sums = leaf === small ? { G, H } : { G: job[J_G]! - G, H: job[J_H]! - H };
      searchSplit(hist, F, { slot: job[w]! | 0, ...sums, count: job[w + 1]! | 0 }, features, d.categorical, d.rules, found, at);
    }
  }
  return [G, H];
}

/** Thread t's part of a gradients job: logistic loss gradient and hessian of its rows. */
function gradientWork(d: BoostData, t: number, threads: number): void {
  const { rows, raw, y, g, h, job } = d;
  const [from, to] = partOf(0, job[J_END]! | 0, t, threads);
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const p = 1 / (1 + Math.exp(-raw[i]!));
    g[i] = p - y[i]!;
    h[i] = Math.max(p * (1 - p), 1e-16);
  }
}

/** Thread t's part of a walk job: the tree's value added to the log-odds of its rows. */
function walkWork(d: BoostData, t: number, threads: number): void {
  const { rows, raw, tree, bins, nFeatures, job } = d;
  const [from, to] = partOf(job[J_START]! | 0, job[J_END]! | 0, t, threads);
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    raw[i]! += tree.value[leafOf(tree, bins, nFeatures, i)]!;
  }
}

/**
 * Thread t's part of a partition job: its part of the rows, those going left kept in order where
 * they were, those going right in order at the same place of `scratch` (without branches: each row
 * is written to both and one end moves; where a row goes is a coin toss to the processor, and its
 * wrong guesses cost more than the writes).
 */
function partitionWork(d: BoostData, t: number, threads: number): void {
  const { rows, scratch, byFeature, goes, job, n } = d;
  const [from, to] = partOf(job[J_START]! | 0, job[J_END]! | 0, t, threads);
  const col = (job[J_FEATURE]! | 0) * n;
  let a = from;
  let z = from;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const left = goes[byFeature[col + i]!]!;
    rows[a] = i;
    scratch[z] = i;
    a += left;
    z += 1 - left;
  }
  d.lefts[t] = a - from;
}

function work(d: BoostData, t: number, threads: number): [number, number] {
  const kind = d.job[J_KIND];
  if (kind === NODE) return nodeWork(d, t, threads);
  if (kind === GRADIENTS) gradientWork(d, t, threads);
  else if (kind === WALK) walkWork(d, t, threads);
  else if (kind === PARTITION) partitionWork(d, t, threads);
  return [0, 0];
}

/** Rows of a leaf below which one thread parts them alone (a hand-over costs more). */
const PARTITION_SHARED_ROWS = 4096;

// Control words shared with the helper threads.
const GENERATION = 0;
const DONE = 1;
const STOPPED = 2;
/** A helper that does not answer within this long has failed (a bug, not a slow machine). */
const WAIT_MS = 120_000;
/** How long a thread polls before it sleeps. */
const SPIN_MS = 10;

/**
 * Waits while `pending(ctl[at])`: polls for SPIN_MS, then sleeps (Atomics.wait) until told. A
 * sleeping thread took up to a millisecond to wake on a two-core virtual machine, longer than most
 * nodes' work; the gaps between jobs are far shorter than SPIN_MS, so during a round nobody
 * sleeps (as OpenMP's threads spin before they sleep). False when `timeoutMs` passed.
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
 * Boosting's jobs shared with helper threads. A node job is shared by features: each thread
 * builds its features' histograms, subtracts them from the parent's and searches them for the
 * best splits, and the growing thread takes the best of the threads' finds; gradients and the
 * walk of the rows left out are shared by rows. Each number is computed by one thread in the same
 * order whatever the threads, so the model does not depend on how many there are. The growing
 * thread waits for the helpers (waitWhile): the tree cannot go on without its splits.
 */
export class BoostThreads {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * 4));
  private readonly workers: Worker[] = [];
  /** The first thread's share of the usable features when two share a node (moved toward balance). */
  private cut = -1;
  /** Whether this thread waited for the helpers after its part of the last node job. */
  private waited = false;

  constructor(
    readonly data: BoostData,
    helpers: number,
    workerUrl: URL,
  ) {
    for (let w = 0; w < helpers; w++) {
      const worker = new Worker(workerUrl, { workerData: { data, ctl: this.ctl, t: w + 1, threads: helpers + 1 } });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Threads a job is shared by (this one and the helpers). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Posts the job in `data.job`, does this thread's part, waits for the helpers'. Its part's result, and whether it waited. */
  private run(): { mine: [number, number]; waited: boolean } {
    const c = this.ctl;
    if (this.workers.length) {
      Atomics.store(c, DONE, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
    }
    const mine = work(this.data, 0, this.threads);
    const waited = Atomics.load(c, DONE) < this.workers.length;
    if (!waitWhile(c, DONE, (done) => done < this.workers.length, WAIT_MS)) throw new Error('a boosting helper thread did not answer');
    return { mine, waited };
  }

  /** Gradients and hessians of rows[0, end) from their log-odds. */
  gradients(end: number): void {
    this.data.job[J_KIND] = GRADIENTS;
    this.data.job[J_END] = end;
    this.run();
  }

  /** Adds the grown tree's value to the log-odds of rows[start, end) (they walk it). */
  walk(start: number, end: number): void {
    this.data.job[J_KIND] = WALK;
    this.data.job[J_START] = start;
    this.data.job[J_END] = end;
    this.run();
  }

  /**
   * Parts a leaf's rows[start, end) stably by `goes` (bins of `feature` that go left): left rows
   * first, then right, each still ascending. Returns where the right child's rows begin.
   */
  partition(start: number, end: number, feature: number, goes: Uint8Array): number {
    const d = this.data;
    const threads = end - start < PARTITION_SHARED_ROWS ? 1 : this.threads;
    d.goes.set(goes);
    d.job[J_KIND] = PARTITION;
    d.job[J_START] = start;
    d.job[J_END] = end;
    d.job[J_FEATURE] = feature;
    if (threads === 1) partitionWork(d, 0, 1);
    else this.run();
    // Each part's left rows after the parts before it, then each part's right rows.
    let at = start;
    for (let t = 0; t < threads; t++) {
      const [from] = partOf(start, end, t, threads);
      if (at !== from) d.rows.copyWithin(at, from, from + d.lefts[t]!);
      at += d.lefts[t]!;
    }
    const split = at;
    for (let t = 0; t < threads; t++) {
      const [from, to] = partOf(start, end, t, threads);
      const right = to - from - d.lefts[t]!;
      d.rows.set(d.scratch.subarray(from, from + right), at);
      at += right;
    }
    return split;
  }

  /**
   * Builds rows[start, end)'s histograms into `slot` and subtracts them from `parent`'s (unless
   * −1); searches each given leaf, the built rows being leaves[small] and the other leaf the
   * parent's sums (`parentG`, `parentH`) minus theirs.
   */
  node(start: number, end: number, slot: number, parent: number, parentG: number, parentH: number, small: number, leaves: [JobLeaf, JobLeaf]): NodeFound {
    const { job, found } = this.data;
    job[J_KIND] = NODE;
    job[J_START] = start;
    job[J_END] = end;
    job[J_SLOT] = slot;
    job[J_PARENT] = parent;
    job[J_G] = parentG;
    job[J_H] = parentH;
    job[J_SMALL] = small;
    leaves.forEach((leaf, k) => {
      job[J_LEAF + k * 2] = leaf ? leaf.slot : -1;
      job[J_LEAF + k * 2 + 1] = leaf?.count ?? 0;
    });
    // Two threads: one feature more for this thread when it waited for the helper last time, one
    // fewer when it did not (it was the slower), so the split follows whichever is faster now.
    let used = 0;
    for (let f = 0; f < this.data.nFeatures; f++) used += this.data.usable[f]!;
    this.cut = this.cut < 0 ? Math.ceil(used / 2) : this.cut + (this.waited ? 1 : -1);
    job[J_CUT] = this.cut = Math.max(1, Math.min(used - 1, this.cut));
    const {
      mine: [G, H],
      waited,
    } = this.run();
    this.waited = waited;
    // The first thread's find unless a later one gains more (so equal gains go to the lower feature).
    const best = (leaf: number): Float64Array | null => {
      let pick = -1;
      for (let t = 0; t < this.threads; t++) {
        const gain = found[(t * 2 + leaf) * SPLIT_WORDS]!;
        if (gain > 0 && (pick < 0 || gain > found[(pick * 2 + leaf) * SPLIT_WORDS]!)) pick = t;
      }
      return pick < 0 ? null : found.slice((pick * 2 + leaf) * SPLIT_WORDS, (pick * 2 + leaf + 1) * SPLIT_WORDS);
    };
    return { G, H, splits: [best(0), best(1)] };
  }

  /** Ends the helper threads. */
  close(): void {
    if (!this.workers.length) return;
    Atomics.store(this.ctl, STOPPED, 1);
    Atomics.add(this.ctl, GENERATION, 1);
    Atomics.notify(this.ctl, GENERATION);
    for (const w of this.workers) void w.terminate();
  }
}

/** A helper thread's loop (boost-worker.ts): wait for a job, do its part, report. */
export function helperLoop(d: { data: BoostData; ctl: Int32Array; t: number; threads: number }): void {
  const c = d.ctl;
  let seen = 0;
  for (;;) {
    waitWhile(c, GENERATION, (g) => g === seen, Infinity);
    seen = Atomics.load(c, GENERATION);
    if (Atomics.load(c, STOPPED)) return;
    work(d.data, d.t, d.threads);
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
}
