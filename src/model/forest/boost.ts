import { takeLabels, takeRows } from '../../core/arrays.js';
import { Random } from '../../core/random.js';
import { binFeature, binOf, categoryBin, MISSING_BIN, type Cuts } from './binning.js';
import os from 'node:os';
import { b64, compiledWorker, fromB64, type Columns } from './forest.js';
import { BoostThreads, CUT_WORDS, histogramKernel, JOB_WORDS, kernelMemory, sigmoid, type BoostData, type JobLeaf } from './boost-threads.js';
import { childOf, leafOf, type BoostTree } from './boost-tree.js';
import { BINS, SPLIT_WORDS } from './histogram.js';

/**
 * Gradient-boosted trees for a 0/1 label (logistic loss) on the forest's binned features: Newton
 * steps from gradient and hessian histograms, leaf-wise growth (the leaf whose split gains most
 * goes first, as LightGBM and scikit-learn's HistGradientBoosting grow), the larger child's
 * histogram as its parent's minus the smaller child's, shrinkage, L2 regularisation, row and
 * feature subsampling, early stopping on a validation set, and native categorical splits.
 */
export interface BoostOptions {
  /** Boosting rounds at most (one tree each). */
  maxIter: number;
  learningRate: number;
  /** Leaves per tree at most. */
  maxLeafNodes: number;
  /** Depth at most; 0 = no limit beyond the leaves. */
  maxDepth: number;
  minSamplesLeaf: number;
  /** L2 penalty on leaf values (λ in −G / (H + λ)). */
  l2: number;
  /** Share of rows drawn (without replacement) for each tree. */
  subsample: number;
  /** Share of features a tree may split on. */
  colsample: number;
  /** Rounds without a better validation loss before stopping; 0 = no early stopping. */
  patience: number;
  /** Share of the training rows held out for early stopping when no validation set is given. */
  validationShare: number;
  /** Features whose values are category codes 0, 1, 2 … (split by sets of categories, not by order). */
  categorical: readonly boolean[];
  seed: number;
  /** Threads growing each tree; 0 = one per core (on 20 000 rows or more). The model does not depend on it. */
  threads: number;
}

export const defaultBoostOptions: BoostOptions = {
  maxIter: 100,
  learningRate: 0.1,
  maxLeafNodes: 31,
  maxDepth: 0,
  minSamplesLeaf: 20,
  l2: 0,
  subsample: 1,
  colsample: 1,
  patience: 10,
  validationShare: 0.1,
  categorical: [],
  seed: 1,
  threads: 0,
};


export interface Booster {
  kind: 'boosting';
  nFeatures: number;
  /** Numeric features' cut points; an empty array for a categorical one. */
  cuts: Cuts[];
  categorical: boolean[];
  /** Log-odds every prediction starts from (the training rows' positive share). */
  baseScore: number;
  trees: BoostTree[];
  options: BoostOptions;
  /** Validation log-loss after each round (early stopping's evidence). */
  validationLoss: number[];
}

/**
 * Each feature's column in turn; with `rows`, only those rows of it, gathered into one scratch
 * array reused for every feature (nationally a copy of the training rows was a gigabyte).
 */
function eachColumn(columns: Columns, rows: readonly number[] | undefined, fn: (col: Float64Array, f: number) => void): void {
  const scratch = rows ? new Float64Array(rows.length) : undefined;
  columns.forEach((c, f) => fn(rows ? takeRows(c, rows, scratch!) : c, f));
}

/** Every feature's bins for every row (or only `rows`), row-major (bins[i * features + f]), into `out` (shared memory for training). */
function binAll(columns: Columns, cuts: Cuts[], categorical: readonly boolean[], rows?: readonly number[], out: Uint8Array<ArrayBufferLike> = new Uint8Array((rows?.length ?? columns[0]?.length ?? 0) * columns.length)): Uint8Array<ArrayBufferLike> {
  eachColumn(columns, rows, (col, f) => binFeature(col, f, columns.length, cuts[f]!, categorical[f]!, out));
  return out;
}

/** Some rows of a set of columns: training data taken without copying it whole. */
export interface RowsOf {
  columns: Columns;
  rows: readonly number[];
}

interface Split {
  gain: number;
  feature: number;
  /** Numeric: bins ≤ threshold go left. */
  threshold: number;
  missingLeft: boolean;
  /** Categorical: the bins that go left. */
  cats: Uint32Array | null;
}

interface Leaf {
  node: number;
  /** Rows of this leaf: rows[start, end). */
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  /** Its histograms' slot in the arena (histogram.ts). */
  slot: number;
  split: Split | null;
}

/**
 * Trains gradient-boosted trees on 0/1 labels: `training` is the columns, or some rows of them
 * (`y` follows those rows; the same model as from a copy of those rows, without the copy). Without
 * `validation`, `validationShare` of the rows (stratified by label, drawn with the seed) is held
 * out for early stopping; with it (a later period, as a provider deploys; again all its rows or
 * some), all rows train. `onRound` is told after each tree.
 */
export function trainBoosting(
  training: Columns | RowsOf,
  y: Uint8Array,
  options: Partial<BoostOptions> = {},
  validation?: { columns: Columns; y: Uint8Array; rows?: readonly number[] },
  onRound: () => void = () => undefined,
): Booster {
  const opts: BoostOptions = { ...defaultBoostOptions, ...options };
  // The columns and, when only some of their rows train (y follows those), which rows.
  const { columns, rows: given } = Array.isArray(training) ? { columns: training, rows: undefined } : training;
  const nFeatures = columns.length;
  const rng = new Random(opts.seed, 0xb005);
  const categorical = Array.from({ length: nFeatures }, (_, f) => Boolean(opts.categorical[f]) && isCategoryCodes(given ? takeRows(columns[f]!, given) : columns[f]!));

  // Rows of `columns` that train (undefined: all), and the validation rows (given, or held out here).
  let trainRows: readonly number[] | undefined = given;
  let valCols: Columns | undefined;
  let valRows: readonly number[] | undefined;
  let valY: Uint8Array | undefined;
  let yt = y;
  if (validation) {
    valCols = validation.columns;
    valRows = validation.rows;
    valY = validation.y;
  } else if (opts.patience > 0 && opts.validationShare > 0) {
    const held = new Uint8Array(y.length);
    for (const label of [0, 1]) {
      const rows = Array.from(y.keys()).filter((i) => y[i] === label);
      for (let k = rows.length - 1; k > 0; k--) {
        const j = Math.floor(rng.next() * (k + 1));
        [rows[k], rows[j]] = [rows[j]!, rows[k]!];
      }
      for (const i of rows.slice(0, Math.round(rows.length * opts.validationShare))) held[i] = 1;
    }
    // Positions in y, then rows of the columns.
    const kept = Array.from(y.keys()).filter((i) => !held[i]);
    const out = Array.from(y.keys()).filter((i) => held[i]);
    trainRows = given ? kept.map((k) => given[k]!) : kept;
    valCols = columns;
    valRows = given ? out.map((k) => given[k]!) : out;
    valY = takeLabels(y, out);
    yt = takeLabels(y, kept);
  }
  const n = yt.length;
  // Validation rows score each round only for early stopping.
  const nv = opts.patience > 0 ? (valY?.length ?? 0) : 0;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += yt[i]!;
  const share = Math.min(1 - 1e-6, Math.max(1e-6, positives / Math.max(1, n)));
  const baseScore = Math.log(share / (1 - share));
  // Shared with the helper threads.
  const threads = opts.threads === 0 ? os.availableParallelism() : Math.max(1, opts.threads);
  const data = boostData(n, nFeatures, categorical, nv, opts, threads);
  data.y.set(yt);
  data.raw.fill(baseScore);
  if (nv) data.validation.y.set(valY!);
  data.validation.raw.fill(baseScore);
  // The helpers start while this thread bins (by default only for enough rows: a thread's
  // start-up and each hand-over cost more than small nodes).
  const helpers = opts.threads === 0 && n < 20_000 ? 0 : threads - 1;
  const workers = new BoostThreads(data, Math.min(helpers, nFeatures - 1), compiledWorker('boost-worker.js'));
  const trees: BoostTree[] = [];
  const validationLoss: number[] = [];
  try {
    // Cut points from the training rows and their bins, a feature a thread at a time (each
    // thread's column gathered into shared memory: nationally a copy of every training column
    // would be a gigabyte).
    const cuts: Cuts[] = [];
    for (let first = 0; first < nFeatures; first += workers.threads) {
      for (let t = 0; t < workers.threads && first + t < nFeatures; t++) {
        const into = data.columns.subarray(t * n, (t + 1) * n);
        if (trainRows) takeRows(columns[first + t]!, trainRows, into);
        else into.set(columns[first + t]!);
      }
      workers.bin(first).forEach((c, t) => (cuts[first + t] = c));
    }
    if (nv) binAll(valCols!, cuts, categorical, valRows, data.validation.bins);
    let best = Infinity;
    let bestRounds = 0;
    for (let iter = 0; iter < opts.maxIter; iter++) {
      const tree = growBoostTree(workers, opts, new Random(opts.seed, iter, 0x7b));
      trees.push(tree);
      onRound();
      if (nv) {
        // The tree's value for the validation rows and their log-loss, shared with the helpers.
        const loss = workers.validate();
        validationLoss.push(loss);
        if (loss < best - 1e-7) {
          best = loss;
          bestRounds = trees.length;
        } else if (trees.length - bestRounds >= opts.patience) break;
      }
    }
    // Early stopping keeps the rounds up to the best validation loss.
    if (nv && bestRounds > 0) trees.length = bestRounds;
    return { kind: 'boosting', nFeatures, cuts, categorical, baseScore, trees, options: opts, validationLoss };
  } finally {
    workers.close();
  }
}

/** True when every value is missing or a category code (one categoryBin gives a bin of its own). */
function isCategoryCodes(col: Float64Array): boolean {
  for (let i = 0; i < col.length; i++) {
    const v = col[i]!;
    if (!Number.isNaN(v) && categoryBin(v) === MISSING_BIN) return false;
  }
  return true;
}

/** A split as the node job found it (SPLIT_WORDS numbers), or none. */
function splitOf(found: Float64Array | null): Split | null {
  if (!found) return null;
  const categorical = found.subarray(4, 12).some((w) => w !== 0);
  return { gain: found[0]!, feature: found[1]!, threshold: found[2]!, missingLeft: found[3] === 1, cats: categorical ? Uint32Array.from(found.subarray(4, 12)) : null };
}

/**
 * Grows one tree leaf-wise: draws its rows, their gradients and hessians from the log-odds so
 * far, then the splits; adds the tree's value to every training row's log-odds.
 */
function growBoostTree(workers: BoostThreads, opts: BoostOptions, rng: Random): BoostTree {
  const { n, usable, raw, tree: t } = workers.data;
  // Rows of this tree (subsampled without replacement), kept in ascending order within each leaf.
  const rows = workers.data.rows;
  let m = n;
  for (let i = 0; i < n; i++) rows[i] = i;
  if (opts.subsample < 1) {
    m = Math.max(1, Math.round(n * opts.subsample));
    for (let k = 0; k < m; k++) {
      const j = k + Math.floor(rng.next() * (n - k));
      const x = rows[k]!;
      rows[k] = rows[j]!;
      rows[j] = x;
    }
    // The drawn rows first, then the others, each in ascending order (one pass over a mark per
    // row instead of a sort): the rows left out walk the tree in order of their place in memory.
    const drawn = new Uint8Array(n);
    for (let k = 0; k < m; k++) drawn[rows[k]!] = 1;
    for (let i = 0, a = 0, z = m; i < n; i++) {
      if (drawn[i]) rows[a++] = i;
      else rows[z++] = i;
    }
  }
  // Gradients of the drawn rows only (no other row's are read).
  workers.gradients(m);
  // Features this tree may use.
  const nFeatures = usable.length;
  usable.fill(1);
  if (opts.colsample < 1) {
    usable.fill(0);
    const order = Array.from({ length: nFeatures }, (_, f) => f);
    const take = Math.max(1, Math.round(nFeatures * opts.colsample));
    for (let k = 0; k < take; k++) {
      const j = k + Math.floor(rng.next() * (nFeatures - k));
      [order[k], order[j]] = [order[j]!, order[k]!];
      usable[order[k]!] = 1;
    }
  }
  // Histogram slots: one per open leaf; a split gives its slot to the larger child.
  const freeSlots = Array.from({ length: opts.maxLeafNodes + 1 }, (_, k) => opts.maxLeafNodes - k);
  // The tree in the shared arrays (room for the largest), emptied.
  for (const x of [t.feature, t.left, t.right]) x.fill(-1);
  for (const x of [t.threshold, t.missingLeft, t.categorical, t.catBits, t.value]) x.fill(0);
  let nodes = 1;
  const step = (G: number, H: number) => (-G / (H + opts.l2)) * opts.learningRate;
  // A leaf worth searching for a split (null: too few rows or too deep).
  const searched = (leaf: Leaf): JobLeaf =>
    leaf.end - leaf.start < 2 * opts.minSamplesLeaf || (opts.maxDepth > 0 && leaf.depth >= opts.maxDepth) ? null : { slot: leaf.slot, count: leaf.end - leaf.start };

  const first: Leaf = { node: 0, start: 0, end: m, depth: 0, G: 0, H: 0, slot: freeSlots.pop()!, split: null };
  const root = workers.node(0, m, first.slot, -1, 0, 0, 0, [searched(first), null]);
  first.G = root.G;
  first.H = root.H;
  first.split = splitOf(root.splits[0]);
  t.value[0] = step(first.G, first.H);
  // Every node made, for their rows once the tree is grown.
  const made: Leaf[] = [first];
  // Leaves that have a split to make.
  const open: Leaf[] = first.split ? [first] : [];
  let leaves = 1;
  while (leaves < opts.maxLeafNodes && open.length) {
    // The open leaf whose split gains most.
    let pick = 0;
    for (let k = 1; k < open.length; k++) if (open[k]!.split!.gain > open[pick]!.split!.gain) pick = k;
    const leaf = open[pick]!;
    open.splice(pick, 1);
    const s = leaf.split!;
    const l = nodes++;
    const r = nodes++;
    t.feature[leaf.node] = s.feature;
    t.threshold[leaf.node] = s.threshold;
    t.missingLeft[leaf.node] = s.missingLeft ? 1 : 0;
    if (s.cats) {
      t.categorical[leaf.node] = 1;
      t.catBits.set(s.cats, leaf.node * 8);
    }
    t.left[leaf.node] = l;
    t.right[leaf.node] = r;
    // The leaf's rows parted as scoring routes them (childOf): left then right, each still ascending.
    const goes = new Uint8Array(BINS);
    for (let b = 0; b < BINS; b++) goes[b] = childOf(t, leaf.node, b) === l ? 1 : 0;
    const a = workers.partition(leaf.start, leaf.end, s.feature, goes);
    // The smaller child's histograms and sums from its rows, the larger one's as parent − smaller.
    const kids: Leaf[] = [
      { node: l, start: leaf.start, end: a, depth: leaf.depth + 1, G: 0, H: 0, slot: -1, split: null },
      { node: r, start: a, end: leaf.end, depth: leaf.depth + 1, G: 0, H: 0, slot: -1, split: null },
    ];
    const small = a - leaf.start <= leaf.end - a ? 0 : 1;
    const [smallKid, largeKid] = [kids[small]!, kids[1 - small]!];
    smallKid.slot = freeSlots.pop()!;
    largeKid.slot = leaf.slot;
    const found = workers.node(smallKid.start, smallKid.end, smallKid.slot, leaf.slot, leaf.G, leaf.H, small, [searched(kids[0]!), searched(kids[1]!)]);
    [smallKid.G, smallKid.H] = [found.G, found.H];
    [largeKid.G, largeKid.H] = [leaf.G - found.G, leaf.H - found.H];
    kids.forEach((kid, k) => {
      made.push(kid);
      t.value[kid.node] = step(kid.G, kid.H);
      kid.split = splitOf(found.splits[k]!);
      // A leaf that will not split needs no histogram: its slot is free again.
      if (kid.split) open.push(kid);
      else freeSlots.push(kid.slot);
    });
    leaves++;
  }
  // The tree's value for each training row: a leaf's rows are rows[start, end) of its node; rows
  // the subsample left out walk the tree.
  for (const leaf of made) {
    if (t.left[leaf.node]! >= 0) continue;
    const v = t.value[leaf.node]!;
    for (let k = leaf.start; k < leaf.end; k++) raw[rows[k]!]! += v;
  }
  if (m < n) workers.walk(m, n);
  const slice = <T extends Int32Array | Uint8Array | Uint32Array | Float32Array>(x: T, per = 1) => x.slice(0, nodes * per) as T;
  return {
    feature: slice(t.feature),
    threshold: slice(t.threshold),
    missingLeft: slice(t.missingLeft),
    categorical: slice(t.categorical),
    catBits: slice(t.catBits, 8),
    left: slice(t.left),
    right: slice(t.right),
    value: slice(t.value),
  };
}

/** Log-odds of class 1 for every row. */
export function boosterRaw(b: Booster, columns: Columns): Float64Array {
  const n = columns[0]?.length ?? 0;
  const bins = binAll(columns, b.cuts, b.categorical);
  const out = new Float64Array(n).fill(b.baseScore);
  for (const t of b.trees) for (let i = 0; i < n; i++) out[i]! += t.value[leafOf(t, bins, i * b.nFeatures, 1)]!;
  return out;
}

/** Probability of class 1 for every row. */
export function boosterProba(b: Booster, columns: Columns): Float64Array {
  return boosterRaw(b, columns).map(sigmoid);
}

/**
 * Per-feature contributions to one row's log-odds (path contributions, as for the forest): the
 * change of node value at each split is credited to its feature. bias + Σ contributions = the
 * booster's log-odds for the row.
 */
export function boosterContributions(b: Booster, row: readonly number[]): { bias: number; contributions: Float64Array } {
  const bins = Uint8Array.from(row, (v, f) => (b.categorical[f] ? categoryBin(v) : binOf(v, b.cuts[f]!)));
  const contrib = new Float64Array(b.nFeatures);
  let bias = b.baseScore;
  for (const t of b.trees) {
    bias += t.value[0]!;
    let node = 0;
    while (t.left[node]! >= 0) {
      const next = childOf(t, node, bins[t.feature[node]!]!);
      contrib[t.feature[node]!]! += t.value[next]! - t.value[node]!;
      node = next;
    }
  }
  return { bias, contributions: contrib };
}

/** Compact JSON form: each tree is eight base64 strings of flat arrays. */
export function serializeBooster(b: Booster): string {
  return JSON.stringify({
    format: 'kiinni-boost/1',
    nFeatures: b.nFeatures,
    options: b.options,
    categorical: b.categorical,
    baseScore: b.baseScore,
    validationLoss: b.validationLoss,
    cuts: b.cuts.map(b64),
    trees: b.trees.map((t) => [t.feature, t.threshold, t.missingLeft, t.categorical, t.catBits, t.left, t.right, t.value].map(b64)),
  });
}

export function deserializeBooster(text: string): Booster {
  const doc = JSON.parse(text) as { format: string; nFeatures: number; options: BoostOptions; categorical: boolean[]; baseScore: number; validationLoss: number[]; cuts: string[]; trees: string[][] };
  if (doc.format !== 'kiinni-boost/1') throw new Error(`unknown booster format ${doc.format}`);
  return {
    kind: 'boosting',
    nFeatures: doc.nFeatures,
    options: doc.options,
    categorical: doc.categorical,
    baseScore: doc.baseScore,
    validationLoss: doc.validationLoss,
    cuts: doc.cuts.map((s) => fromB64(s, (x) => new Float64Array(x))),
    trees: doc.trees.map(([f, th, ml, cat, bits, l, r, v]) => ({
      feature: fromB64(f!, (x) => new Int32Array(x)),
      threshold: fromB64(th!, (x) => new Uint8Array(x)),
      missingLeft: fromB64(ml!, (x) => new Uint8Array(x)),
      categorical: fromB64(cat!, (x) => new Uint8Array(x)),
      catBits: fromB64(bits!, (x) => new Uint32Array(x)),
      left: fromB64(l!, (x) => new Int32Array(x)),
      right: fromB64(r!, (x) => new Int32Array(x)),
      value: fromB64(v!, (x) => new Float32Array(x)),
    })),
  };
}

/**
 * The memory boosting shares with its helper threads for n rows × nFeatures (nv validation rows):
 * bins, labels, log-odds, gradients, hessians, the tree's rows, its features, the tree, and an
 * arena of histogram slots (one per open leaf, one more for a new child).
 */
export function boostData(n: number, nFeatures: number, categorical: readonly boolean[], nv: number, opts: BoostOptions, threads: number): BoostData {
  const shared = <T>(make: (b: SharedArrayBuffer) => T, bytes: number) => make(new SharedArrayBuffer(bytes));
  const slots = opts.maxLeafNodes + 1;
  const maxNodes = 2 * opts.maxLeafNodes - 1;
  return {
    ...kernelMemory(n, nFeatures, slots, threads),
    kernel: histogramKernel(),
    n,
    nFeatures,
    lefts: shared((b) => new Int32Array(b), threads * 4),
    spent: shared((b) => new Float64Array(b), threads * 8),
    columns: shared((b) => new Float64Array(b), threads * n * 8),
    cutsOut: shared((b) => new Float64Array(b), threads * CUT_WORDS * 8),
    seed: opts.seed,
    usable: shared((b) => new Uint8Array(b), nFeatures),
    categorical: Uint8Array.from(categorical, Number),
    tree: {
      feature: shared((b) => new Int32Array(b), maxNodes * 4),
      threshold: shared((b) => new Uint8Array(b), maxNodes),
      missingLeft: shared((b) => new Uint8Array(b), maxNodes),
      categorical: shared((b) => new Uint8Array(b), maxNodes),
      catBits: shared((b) => new Uint32Array(b), maxNodes * 8 * 4),
      left: shared((b) => new Int32Array(b), maxNodes * 4),
      right: shared((b) => new Int32Array(b), maxNodes * 4),
      value: shared((b) => new Float32Array(b), maxNodes * 4),
    },
    job: shared((b) => new Float64Array(b), JOB_WORDS * 8),
    found: shared((b) => new Float64Array(b), threads * 2 * SPLIT_WORDS * 8),
    rules: { minSamplesLeaf: opts.minSamplesLeaf, l2: opts.l2 },
    // Empty without early stopping.
    validation: {
      bins: shared((b) => new Uint8Array(b), nv * nFeatures),
      y: shared((b) => new Uint8Array(b), nv),
      raw: shared((b) => new Float64Array(b), nv * 8),
      term: shared((b) => new Float64Array(b), nv * 8),
    },
  };
}
