import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledScript, workerExecArgv } from '../../core/package-root.js';
import { Random } from '../../core/random.js';
import { binColumn, binOf, fitCuts, type Cuts } from './binning.js';
import { growTree, type BinnedData, type Tree, type TreeOptions } from './tree.js';

/** Forest hyper-parameters (`models/model-spec.yaml` holds kiinni's choice). */
export interface ForestOptions {
  nTrees: number;
  /** Features per split: a count, or 'sqrt' / 'log2' / a share of all features. */
  maxFeatures: number | 'sqrt' | 'log2';
  maxDepth: number;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  /** 'balanced' weighs each class by n / (2 · n_class); 'none' leaves rows equal. */
  classWeight: 'balanced' | 'none';
  bootstrap: boolean;
  maxSamples: number;
  seed: number;
  /** Worker threads; 0 = one per core. 1 trains in this thread. */
  threads: number;
}

export const defaultForestOptions: ForestOptions = {
  nTrees: 200,
  maxFeatures: 'sqrt',
  maxDepth: 40,
  minSamplesLeaf: 1,
  minSamplesSplit: 2,
  classWeight: 'none',
  bootstrap: true,
  maxSamples: 1,
  seed: 1,
  threads: 0,
};

/** A trained forest: bin cut points per feature and flat-array trees. */
export interface Forest {
  nFeatures: number;
  cuts: Cuts[];
  trees: Tree[];
  options: ForestOptions;
}

/** Features as columns (feature-major), NaN for missing. */
export type Columns = Float64Array[];

function resolveMaxFeatures(m: ForestOptions['maxFeatures'], nFeatures: number): number {
  if (m === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (m === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (m > 0 && m < 1) return Math.max(1, Math.round(m * nFeatures));
  return Math.min(nFeatures, Math.max(1, Math.round(m)));
}

/** Bins columns with the given cuts into one feature-major Uint8Array (shared memory if asked). */
export function binColumns(columns: Columns, cuts: Cuts[], shared = false): Uint8Array {
  const n = columns[0]?.length ?? 0;
  const out = new Uint8Array(shared ? new SharedArrayBuffer(n * columns.length) : new ArrayBuffer(n * columns.length));
  columns.forEach((col, f) => binColumn(col, cuts[f]!, out.subarray(f * n, (f + 1) * n)));
  return out;
}

/** A worker script of this folder, compiled (running from src/ in tests: the one in dist/). */
export function compiledWorker(file: string): URL {
  return compiledScript(`./${file}`, import.meta.url);
}

/**
 * Trains a forest on 0/1 labels. Trees are grown in worker threads over shared memory; tree t
 * always uses random stream (seed, t), so the result does not depend on the number of threads.
 */
/** Trains a forest; `onTree` is told each time a tree is finished (for progress). */
export async function trainForest(columns: Columns, y: Uint8Array, options: Partial<ForestOptions> = {}, onTree: () => void = () => undefined): Promise<Forest> {
  const opts: ForestOptions = { ...defaultForestOptions, ...options };
  const n = y.length;
  const nFeatures = columns.length;
  const rng = new Random(opts.seed, 0xb1);
  const cuts = columns.map((c) => fitCuts(c, rng));
  const threads = opts.threads === 0 ? os.availableParallelism() : opts.threads;
  const bins = binColumns(columns, cuts, threads > 1);
  const binCount = Uint16Array.from(cuts, (c) => c.length + 2);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]!;
  const classWeight: [number, number] =
    opts.classWeight === 'balanced' && positives > 0 && positives < n ? [n / (2 * (n - positives)), n / (2 * positives)] : [1, 1];
  const treeOptions: TreeOptions = {
    maxFeatures: resolveMaxFeatures(opts.maxFeatures, nFeatures),
    maxDepth: opts.maxDepth,
    minSamplesLeaf: opts.minSamplesLeaf,
    minSamplesSplit: opts.minSamplesSplit,
    classWeight,
    bootstrap: opts.bootstrap,
    maxSamples: opts.maxSamples,
  };
  const trees: Tree[] = new Array(opts.nTrees);
  if (threads <= 1 || opts.nTrees === 1) {
    const data: BinnedData = { n, nFeatures, bins, binCount, y };
    for (let t = 0; t < opts.nTrees; t++) {
      trees[t] = growTree(data, treeOptions, opts.seed, t);
      onTree();
    }
  } else {
    const ySab = new Uint8Array(new SharedArrayBuffer(n));
    ySab.set(y);
    const workers = Math.min(threads, opts.nTrees);
    await Promise.all(
      Array.from({ length: workers }, (_, w) => {
        const mine = Array.from({ length: opts.nTrees }, (_, t) => t).filter((t) => t % workers === w);
        return new Promise<void>((resolve, reject) => {
          const worker = new Worker(compiledWorker('worker.js'), {
            execArgv: workerExecArgv(),
            workerData: { n, nFeatures, bins, binCount, y: ySab, treeOptions, seed: opts.seed, trees: mine },
          });
          worker.on('message', (msg: { t: number; tree: Tree }) => {
            trees[msg.t] = msg.tree;
            onTree();
          });
          worker.on('error', reject);
          worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`forest worker exited with code ${code}`))));
        });
      }),
    );
  }
  return { nFeatures, cuts, trees, options: opts };
}

/** Probability of class 1 for every row: the mean of the trees' leaf probabilities. */
export function predictProba(forest: Forest, columns: Columns): Float64Array {
  const n = columns[0]?.length ?? 0;
  const bins = binColumns(columns, forest.cuts);
  const out = new Float64Array(n);
  for (const tree of forest.trees) {
    const { feature, threshold, left, right, value } = tree;
    for (let i = 0; i < n; i++) {
      let node = 0;
      while (left[node]! >= 0) node = bins[feature[node]! * n + i]! <= threshold[node]! ? left[node]! : right[node]!;
      out[i]! += value[node]!;
    }
  }
  const t = forest.trees.length;
  for (let i = 0; i < n; i++) out[i]! /= t;
  return out;
}

/**
 * Per-feature contributions to one row's probability (path contributions, Saabas): walking
 * each tree from the root, the change of node value at each split is credited to the split's
 * feature. bias + Σ contributions = the forest's probability.
 */
export function contributions(forest: Forest, row: readonly number[]): { bias: number; contributions: Float64Array } {
  const bins = Uint8Array.from(row, (v, f) => binOf(v, forest.cuts[f]!));
  const contrib = new Float64Array(forest.nFeatures);
  let bias = 0;
  for (const tree of forest.trees) {
    let node = 0;
    bias += tree.value[0]!;
    while (tree.left[node]! >= 0) {
      const f = tree.feature[node]!;
      const next = bins[f]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
      contrib[f]! += tree.value[next]! - tree.value[node]!;
      node = next;
    }
  }
  const t = forest.trees.length;
  for (let f = 0; f < contrib.length; f++) contrib[f]! /= t;
  return { bias: bias / t, contributions: contrib };
}

/** A typed array as base64 (the models' file form), and back. */
export const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
export function fromB64<T>(s: string, make: (buf: ArrayBuffer) => T): T {
  const b = Buffer.from(s, 'base64');
  return make(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Compact JSON form: each tree is five base64 strings of flat arrays. */
export function serializeForest(forest: Forest): string {
  return JSON.stringify({
    format: 'kiinni-forest/1',
    nFeatures: forest.nFeatures,
    options: forest.options,
    cuts: forest.cuts.map(b64),
    trees: forest.trees.map((t) => [b64(t.feature), b64(t.threshold), b64(t.left), b64(t.right), b64(t.value)]),
  });
}

export function deserializeForest(text: string): Forest {
  const doc = JSON.parse(text) as { format: string; nFeatures: number; options: ForestOptions; cuts: string[]; trees: string[][] };
  if (doc.format !== 'kiinni-forest/1') throw new Error(`unknown forest format ${doc.format}`);
  return {
    nFeatures: doc.nFeatures,
    options: doc.options,
    cuts: doc.cuts.map((s) => fromB64(s, (b) => new Float64Array(b))),
    trees: doc.trees.map(([f, th, l, r, v]) => ({
      feature: fromB64(f!, (b) => new Int32Array(b)),
      threshold: fromB64(th!, (b) => new Uint8Array(b)),
      left: fromB64(l!, (b) => new Int32Array(b)),
      right: fromB64(r!, (b) => new Int32Array(b)),
      value: fromB64(v!, (b) => new Float32Array(b)),
    })),
  };
}
