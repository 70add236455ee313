import { existsSync, readFileSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { workerExecArgv } from '../../core/package-root.js';
import { Random } from '../../core/random.js';
import { binFeature, fitCuts, type Split3 } from './binning.js';
import { leafOf, type BoostTree } from './boost-tree.js';
import { compiledWorker } from './forest.js';
import { BINS, histogramAt, searchSplit, slotSize, SPLIT_WORDS, STRIDE, type SplitRules } from './histogram.js';

/**
 * The arrays the histogram kernel reads and writes, views of one shared WebAssembly memory (the
 * kernel takes each as its byteOffset there).
 */
export interface KernelMemory {
  memory: WebAssembly.Memory;
  /** The bins feature by feature (byFeature[f * n + i]): a node's rows, ascending, read one feature's bins in order. */
  byFeature: Uint8Array;
  /** Gradients and hessians by row. */
  g: Float64Array;
  h: Float64Array;
  /** Each training row's log-odds so far, and its 0/1 label. */
  raw: Float64Array;
  y: Uint8Array;
  /** The tree's rows: its subsample rows[0, m), each node owning rows[start, end) of them; the others after. */
  rows: Int32Array;
  /** Histogram slots (see histogramAt). */
  hist: Float64Array;
  /** Each thread's feature list for the kernel. */
  features: Int32Array;
  /** Each thread's last built rows' gradient and hessian sums (two each). */
  sums: Float64Array;
  /** Each thread's room (2n doubles) for a node's gradients and hessians in row order (while binning, for its sample of a column). */
  ordered: Float64Array;
  /** Room for rows on their way to a node's right child (as many as rows). */
  scratch: Int32Array;
  /** For a partition: 1 for each bin of the split feature that goes left. */
  goes: Uint8Array;
}

const PAGE = 65_536;
/** WebAssembly's 32-bit memory holds 4 GiB at most. */
const MAX_PAGES = 65_536;

/**
 * One shared WebAssembly memory for a fit's bins (n × nFeatures bytes), gradients, hessians,
 * rows and histogram slots, and each thread's feature list and ordered gradients.
 */
export function kernelMemory(n: number, nFeatures: number, slots: number, threads: number): KernelMemory {
  let end = 0;
  const place = (bytes: number) => {
    const start = end;
    end = Math.ceil((end + bytes) / 8) * 8;
    return start;
  };
  const at = {
    hist: place(slots * slotSize(nFeatures) * 8),
    g: place(n * 8),
    h: place(n * 8),
    raw: place(n * 8),
    rows: place(n * 4),
    features: place(threads * nFeatures * 4),
    sums: place(threads * 2 * 8),
    ordered: place(threads * 2 * n * 8),
    scratch: place(n * 4),
    goes: place(BINS),
    byFeature: place(n * nFeatures),
    y: place(n),
  };
  const pages = Math.max(1, Math.ceil(end / PAGE));
  if (pages > MAX_PAGES) throw new Error(`boosting on ${n} rows × ${nFeatures} features needs ${Math.ceil(end / 2 ** 30)} GiB of histogram memory, more than the 4 GiB one fit can have`);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const buffer = memory.buffer;
  return {
    memory,
    byFeature: new Uint8Array(buffer, at.byFeature, n * nFeatures),
    g: new Float64Array(buffer, at.g, n),
    h: new Float64Array(buffer, at.h, n),
    raw: new Float64Array(buffer, at.raw, n),
    y: new Uint8Array(buffer, at.y, n),
    rows: new Int32Array(buffer, at.rows, n),
    hist: new Float64Array(buffer, at.hist, slots * slotSize(nFeatures)),
    features: new Int32Array(buffer, at.features, threads * nFeatures),
    sums: new Float64Array(buffer, at.sums, threads * 2),
    ordered: new Float64Array(buffer, at.ordered, threads * 2 * n),
    scratch: new Int32Array(buffer, at.scratch, n),
    goes: new Uint8Array(buffer, at.goes, BINS),
  };
}

let compiledKernel: WebAssembly.Module | undefined;

/** The histogram kernel (histogram.wat, compiled by the build), compiled once per process. */
export function histogramKernel(): WebAssembly.Module {
  if (!compiledKernel) {
    const file = compiledWorker('histogram.wasm');
    if (!existsSync(file)) throw new Error("kiinni is not fully built (the boosting kernel histogram.wasm is missing): run 'npm run build'");
    compiledKernel = new WebAssembly.Module(readFileSync(file));
  }
  return compiledKernel;
}

/**
 * The kernel's functions (histogram.wat): `build` adds rows into histograms, `subtract` takes one
 * run of doubles from another, `partition` parts rows between two children, `split` parts values
 * for the cut points (binning.ts's split3 on the shared memory), `gradients` computes the logistic
 * loss's gradients and hessians (with an e^x that is JavaScript's Math.exp bit for bit).
 */
export interface Kernel {
  build: (rows: number, start: number, end: number, byFeature: number, n: number, g: number, h: number, ordered: number, hist: number, features: number, count: number, sums: number) => void;
  subtract: (from: number, sub: number, doubles: number) => void;
  partition: (rows: number, scratch: number, from: number, to: number, col: number, goes: number) => number;
  split: (a: number, lo: number, hi: number, p: number) => [number, number];
  gradients: (rows: number, from: number, to: number, raw: number, y: number, g: number, h: number) => void;
}

/** This thread's instance of the kernel on the fit's memory. */
export function kernelBuild(d: Pick<BoostData, 'kernel' | 'memory'>): Kernel {
  const { exports } = new WebAssembly.Instance(d.kernel, { env: { memory: d.memory } });
  const f = <K extends keyof Kernel>(name: K) => exports[name] as Kernel[K];
  return { build: f('build'), subtract: f('subtract'), partition: f('partition'), split: f('split'), gradients: f('gradients') };
}

/**
 * What boosting's threads share: the binned rows, their labels, log-odds, gradients and hessians,
 * the tree being grown, its histograms, and the job they are working on.
 */
export interface BoostData extends KernelMemory {
  /** The histogram kernel (histogramKernel). */
  kernel: WebAssembly.Module;
  n: number;
  nFeatures: number;
  /** For a partition: how many of its part of the rows each thread sent left. */
  lefts: Int32Array;
  /** Milliseconds each thread spent on its part of the last node job. */
  spent: Float64Array;
  /** For binning: one training column per thread (n each) … */
  columns: Float64Array;
  /** … and the cut points each thread fitted (the count, then up to 255). */
  cutsOut: Float64Array;
  /** Seed of the fit: each feature's cut points draw their sample from stream (seed, feature). */
  seed: number;
  /** 1 for a feature the tree may split on. */
  usable: Uint8Array;
  /** 1 for a categorical feature. */
  categorical: Uint8Array;
  /** The tree being grown (room for the largest). */
  tree: BoostTree;
  /** The job (see the J_ words). */
  job: Float64Array;
  /** Each thread's best split of each of a node job's two leaves (SPLIT_WORDS each). */
  found: Float64Array;
  rules: SplitRules;
  /** Validation rows (for early stopping): their bins row-major (nFeatures each), labels, log-odds so far, and each one's log-likelihood term of the last tree. */
  validation: { bins: Uint8Array; y: Uint8Array; raw: Float64Array; term: Float64Array };
}

/** The logistic function: the probability of log-odds z. */
export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

// Jobs: a node's histograms and splits, the gradients of rows[0, end), the tree's value for the
// rows after the subsample (they walk the tree), a leaf's rows parted between its children, the
// training columns' cut points and bins, or the tree's value for the validation rows and their
// log-likelihood.
const NODE = 1;
const GRADIENTS = 2;
const WALK = 3;
const PARTITION = 4;
const BIN = 5;
const VALIDATE = 6;

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
 * Adds rows[start, end) into `features`' histograms of slot `slot` (zeroed first) with the kernel
 * and returns the rows' gradient and hessian sums (none without features).
 */
function buildRows(d: BoostData, { build }: Kernel, t: number, start: number, end: number, slot: number, features: Int32Array): [number, number] {
  const { nFeatures: F, n, g, h, rows, hist, byFeature, sums, ordered } = d;
  const used = features.length;
  if (!used) return [0, 0];
  for (let j = 0; j < used; j++) {
    const o = histogramAt(F, slot, features[j]!);
    hist.fill(0, o, o + BINS * STRIDE);
  }
  const list = d.features.subarray(t * F, t * F + used);
  list.set(features);
  build(rows.byteOffset, start, end, byFeature.byteOffset, n, g.byteOffset, h.byteOffset, ordered.byteOffset + t * 2 * n * 8, hist.byteOffset + histogramAt(F, slot, 0) * 8, list.byteOffset, used, sums.byteOffset + t * 16);
  return [sums[t * 2]!, sums[t * 2 + 1]!];
}

/**
 * Thread t's part of a node job: its features' histograms of the rows, the parent's minus them,
 * and the best split of each leaf over its features (in `found`). Returns the rows' sums (every
 * thread sums them in the same order, so the same numbers whatever the threads).
 */
function nodeWork(d: BoostData, kernel: Kernel, t: number, threads: number): [number, number] {
  const { job, hist, nFeatures: F, found } = d;
  const t0 = performance.now();
  const features = featuresOf(d.usable, t, threads, job[J_CUT]! | 0);
  // Whole numbers as such (| 0): loops indexed by a double run at a fraction of the speed.
  const slot = job[J_SLOT]! | 0;
  const [G, H] = buildRows(d, kernel, t, job[J_START]! | 0, job[J_END]! | 0, slot, features);
  const parent = job[J_PARENT]! | 0;
  if (parent >= 0) {
    for (let j = 0; j < features.length; j++) kernel.subtract(hist.byteOffset + histogramAt(F, parent, features[j]!) * 8, hist.byteOffset + histogramAt(F, slot, features[j]!) * 8, BINS * STRIDE);
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
  d.spent[t] = performance.now() - t0;
  return [G, H];
}

/** Thread t's part of a gradients job: logistic loss gradient and hessian of its rows (the kernel's `gradients`). */
function gradientWork(d: BoostData, kernel: Kernel, t: number, threads: number): void {
  const { rows, raw, y, g, h, job } = d;
  const [from, to] = partOf(0, job[J_END]! | 0, t, threads);
  kernel.gradients(rows.byteOffset, from, to, raw.byteOffset, y.byteOffset, g.byteOffset, h.byteOffset);
}

/** Thread t's part of a walk job: the tree's value added to the log-odds of its rows. */
function walkWork(d: BoostData, t: number, threads: number): void {
  const { rows, raw, tree, byFeature, n, job } = d;
  const [from, to] = partOf(job[J_START]! | 0, job[J_END]! | 0, t, threads);
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    raw[i]! += tree.value[leafOf(tree, byFeature, i, n)]!;
  }
}

/**
 * Thread t's part of a partition job (the kernel's `partition`): its part of the rows, those going
 * left kept in order where they were, those going right in order at the same place of `scratch`.
 */
function partitionWork(d: BoostData, kernel: Kernel, t: number, threads: number): void {
  const { rows, scratch, byFeature, goes, job, n } = d;
  const [from, to] = partOf(job[J_START]! | 0, job[J_END]! | 0, t, threads);
  d.lefts[t] = kernel.partition(rows.byteOffset, scratch.byteOffset, from, to, byFeature.byteOffset + (job[J_FEATURE]! | 0) * n, goes.byteOffset);
}

/**
 * Thread t's part of a validation job: the tree's value added to its validation rows' log-odds,
 * and each row's log-likelihood term (the growing thread adds them up in row order).
 */
function validateWork(d: BoostData, t: number, threads: number): void {
  const { tree, nFeatures } = d;
  const { bins, y, raw, term } = d.validation;
  const [from, to] = partOf(0, raw.length, t, threads);
  for (let i = from; i < to; i++) {
    raw[i]! += tree.value[leafOf(tree, bins, i * nFeatures, 1)]!;
    const p = Math.min(1 - 1e-15, Math.max(1e-15, sigmoid(raw[i]!)));
    term[i] = y[i] ? Math.log(p) : Math.log(1 - p);
  }
}

/** Words of cutsOut per thread. */
export const CUT_WORDS = 256;

/**
 * Thread t's part of a binning job: feature first + t, from its column in `columns`: cut points
 * (none for a categorical feature) into `cutsOut`, its bins into `byFeature` (a column each, so
 * threads never write one cache line).
 */
function binWork(d: BoostData, kernel: Kernel, t: number): void {
  const { n, columns, cutsOut, byFeature, categorical, job, ordered } = d;
  const f = (job[J_FEATURE]! | 0) + t;
  if (f >= d.nFeatures) return;
  const col = columns.subarray(t * n, (t + 1) * n);
  const room = ordered.subarray(t * 2 * n, t * 2 * n + n);
  const split: Split3 = (a, lo, hi, p) => kernel.split(a.byteOffset, lo, hi, p);
  const cuts = categorical[f] ? new Float64Array(0) : fitCuts(col, new Random(d.seed, f, 0xc075), undefined, room, split);
  cutsOut[t * CUT_WORDS] = cuts.length;
  cutsOut.set(cuts, t * CUT_WORDS + 1);
  binFeature(col, 0, 1, cuts, categorical[f] === 1, byFeature.subarray(f * n, (f + 1) * n));
}

function work(d: BoostData, kernel: Kernel, t: number, threads: number): [number, number] {
  const kind = d.job[J_KIND];
  if (kind === NODE) return nodeWork(d, kernel, t, threads);
  if (kind === GRADIENTS) gradientWork(d, kernel, t, threads);
  else if (kind === WALK) walkWork(d, t, threads);
  else if (kind === PARTITION) partitionWork(d, kernel, t, threads);
  else if (kind === BIN) binWork(d, kernel, t);
  else if (kind === VALIDATE) validateWork(d, t, threads);
  return [0, 0];
}

/** Rows of a leaf below which one thread parts them alone (a hand-over costs more). */
const PARTITION_SHARED_ROWS = 4096;

// Control words shared with the helper threads.
const GENERATION = 0;
const DONE = 1;
const STOPPED = 2;
/** Helpers that have started and wait for jobs. */
const READY = 3;
/** Set by a helper whose part of a job threw (its error follows on the helpers' port). */
const FAILED = 4;
/** A helper that does not answer within this long has failed (a bug, not a slow machine). */
const WAIT_MS = 120_000;
/** A helper thread boots in a tenth of a second; one not started within this long will not start. */
const START_MS = 30_000;
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
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * 5));
  private readonly workers: Worker[] = [];
  /** Where each helper posts its error if it fails; read without the event loop (this thread is busy). */
  private readonly errors: MessagePort[] = [];
  private readonly kernel: Kernel;
  /** Each of two threads' time per feature so far (node jobs, recent ones weighing most). */
  private readonly perFeature = [0, 0];

  constructor(
    readonly data: BoostData,
    helpers: number,
    workerUrl: URL,
    /** How long a helper may take to start (tests shorten it). */
    private readonly startMs = START_MS,
  ) {
    this.kernel = kernelBuild(data);
    for (let w = 0; w < helpers; w++) {
      const { port1, port2 } = new MessageChannel();
      port1.unref();
      this.errors.push(port1);
      const worker = new Worker(workerUrl, { workerData: { data, ctl: this.ctl, t: w + 1, threads: helpers + 1, errors: port2 }, transferList: [port2], execArgv: workerExecArgv() });
      worker.unref();
      // A helper that cannot start is reported by run() in its own words (this thread waits in a
      // loop and would see the event only afterwards); unheard, the event would end the process.
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
  }

  /** Threads a job is shared by (this one and the helpers). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Posts the job in `data.job`, does this thread's part, waits for the helpers'. Returns its part's result. */
  private run(): [number, number] {
    const c = this.ctl;
    if (this.workers.length) {
      Atomics.store(c, DONE, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
    }
    const mine = work(this.data, this.kernel, 0, this.threads);
    const n = this.workers.length;
    const failed = () => Atomics.load(c, FAILED) !== 0;
    // A helper that never started (its thread could not boot) is told from a slow one by READY.
    if (n && !waitWhile(c, READY, (ready) => ready < n && !failed(), this.startMs)) throw new Error(`a boosting helper thread did not start within ${this.startMs / 1000} s`);
    if (!waitWhile(c, DONE, (done) => done < n && !failed(), WAIT_MS)) throw new Error('a boosting helper thread did not answer');
    if (failed()) {
      const reason = this.errors.map((p) => receiveMessageOnPort(p)?.message as string | undefined).find((m) => m !== undefined);
      throw new Error(`a boosting helper thread failed: ${reason ?? 'no reason given'}`);
    }
    return mine;
  }

  /** Gradients and hessians of rows[0, end) from their log-odds. */
  gradients(end: number): void {
    this.data.job[J_KIND] = GRADIENTS;
    this.data.job[J_END] = end;
    this.run();
  }

  /**
   * Adds the grown tree's value to the validation rows' log-odds and returns their log-loss (the
   * terms added in row order, as one thread would).
   */
  validate(): number {
    const { term } = this.data.validation;
    this.data.job[J_KIND] = VALIDATE;
    this.run();
    let loss = 0;
    for (let i = 0; i < term.length; i++) loss -= term[i]!;
    return loss / Math.max(1, term.length);
  }

  /** Adds the grown tree's value to the log-odds of rows[start, end) (they walk it). */
  walk(start: number, end: number): void {
    this.data.job[J_KIND] = WALK;
    this.data.job[J_START] = start;
    this.data.job[J_END] = end;
    this.run();
  }

  /**
   * Fits cut points to features first, first + 1, … (one a thread) from the threads' columns in
   * `columns` and bins them into `byFeature`. Returns each feature's cut points.
   */
  bin(first: number): Float64Array[] {
    const d = this.data;
    d.job[J_KIND] = BIN;
    d.job[J_FEATURE] = first;
    const count = Math.min(this.threads, d.nFeatures - first);
    // Until the helpers have started (a thread takes a tenth of a second to boot), this thread
    // bins each column itself rather than wait.
    if (Atomics.load(this.ctl, READY) < this.workers.length) for (let t = 0; t < count; t++) binWork(d, this.kernel, t);
    else this.run();
    return Array.from({ length: count }, (_, t) => d.cutsOut.slice(t * CUT_WORDS + 1, t * CUT_WORDS + 1 + d.cutsOut[t * CUT_WORDS]!));
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
    if (threads === 1) partitionWork(d, this.kernel, 0, 1);
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
    // Two threads split the features by their time per feature so far: the one that keeps up
    // better takes more (a thread's core, caches and share of the machine differ).
    let used = 0;
    for (let f = 0; f < this.data.nFeatures; f++) used += this.data.usable[f]!;
    const [mine, helper] = this.perFeature as [number, number];
    const cut = Math.max(1, Math.min(used - 1, mine + helper > 0 ? Math.round((used * helper) / (mine + helper)) : Math.ceil(used / 2)));
    job[J_CUT] = cut;
    const [G, H] = this.run();
    if (this.threads === 2 && used > 1) {
      const { spent } = this.data;
      this.perFeature[0] = 0.9 * mine + spent[0]! / cut;
      this.perFeature[1] = 0.9 * helper + spent[1]! / (used - cut);
    }
    // The first thread's find unless a later one gains more: the threads' runs of features are in
    // order, so of equal gains the lower feature's wins, as one thread searching them all would find.
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
    for (const p of this.errors) p.close();
  }
}

/** A helper thread's loop (boost-worker.ts): wait for a job, do its part, report. */
export function helperLoop(d: { data: BoostData; ctl: Int32Array; t: number; threads: number; errors?: MessagePort }): void {
  const c = d.ctl;
  try {
    const kernel = kernelBuild(d.data);
    // Every job posted counts a generation; one posted before this thread started is still to do.
    let seen = 0;
    Atomics.add(c, READY, 1);
    Atomics.notify(c, READY);
    for (;;) {
      waitWhile(c, GENERATION, (g) => g === seen, Infinity);
      seen = Atomics.load(c, GENERATION);
      if (Atomics.load(c, STOPPED)) return;
      work(d.data, kernel, d.t, d.threads);
      Atomics.add(c, DONE, 1);
      Atomics.notify(c, DONE);
    }
  } catch (err) {
    // The growing thread waits in a loop, not on events: it learns of the failure from FAILED.
    d.errors?.postMessage(err instanceof Error ? err.message : String(err));
    Atomics.store(c, FAILED, 1);
    Atomics.notify(c, READY);
    Atomics.notify(c, DONE);
  }
}
