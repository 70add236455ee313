import { Random } from '../../core/random.js';

/** Training data shared by all trees: binned features (feature-major) and 0/1 labels. */
export interface BinnedData {
  n: number;
  nFeatures: number;
  /** bins[f * n + i]: bin of row i in feature f. */
  bins: Uint8Array;
  /** Number of bins used per feature (max bin + 1). */
  binCount: Uint16Array;
  y: Uint8Array;
}

/** Tree-growing options (the forest's hyper-parameters). */
export interface TreeOptions {
  /** Features tried per split (mtry). */
  maxFeatures: number;
  maxDepth: number;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  /** Weight of class 0 and class 1 (e.g. balanced: n / (2 · n_c)). */
  classWeight: [number, number];
  /** Bootstrap the rows (with replacement) for each tree. */
  bootstrap: boolean;
  /** Bootstrap sample size as a share of n (1 = n draws). */
  maxSamples: number;
}

/**
 * One tree as flat typed arrays (no object per node). Internal nodes have left ≥ 0; a row goes
 * left when its bin in `feature` is ≤ `threshold` (missing values, bin 0, always go left).
 * `value` is the (class-weighted) share of class 1 at every node, internal ones included, which
 * per-feature path contributions need.
 */
export interface Tree {
  feature: Int32Array;
  threshold: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float32Array;
}

/** Grows tree number `treeIndex` of a forest; the same (seed, treeIndex) gives the same tree. */
export function growTree(data: BinnedData, opts: TreeOptions, seed: number, treeIndex: number): Tree {
  const { n, nFeatures, bins: allBins, y } = data;
  // h0 below accumulates total weight; class-0 weight is total minus class 1.
  const rng = new Random(seed, treeIndex, 0x7ee);
  const [cw0, cw1] = opts.classWeight;

  // In-bag rows (bootstrap multiplicity per row), then copied out into arrays of their own: the
  // tree reads only these, so a tree of 250 000 rows drawn from millions reads a few megabytes
  // (a feature's bins, the weights) instead of scattered cache lines all over the full columns.
  const drawn = new Int32Array(n);
  if (opts.bootstrap) {
    const draws = Math.max(1, Math.round(n * opts.maxSamples));
    for (let k = 0; k < draws; k++) drawn[Math.floor(rng.next() * n)]! += 1;
  } else drawn.fill(1);
  let m = 0;
  for (let i = 0; i < n; i++) if (drawn[i]! > 0) m++;
  // weight[j]: the j-th in-bag row's multiplicity × class weight; wy[j] its class-1 weight, so
  // histograms need no branch on the label.
  const weight = new Float64Array(m);
  const wy = new Float64Array(m);
  const source = new Int32Array(m);
  for (let i = 0, j = 0; i < n; i++) {
    if (drawn[i]! > 0) {
      weight[j] = drawn[i]! * (y[i] ? cw1 : cw0);
      wy[j] = y[i] ? weight[j]! : 0;
      source[j++] = i;
    }
  }
  const bins = new Uint8Array(m * nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const from = f * n;
    const to = f * m;
    for (let j = 0; j < m; j++) bins[to + j] = allBins[from + source[j]!]!;
  }
  const rows = new Int32Array(m);
  for (let j = 0; j < m; j++) rows[j] = j;

  let cap = Math.max(16, 2 * m + 1);
  let feature = new Int32Array(cap);
  let threshold = new Uint8Array(cap);
  let left = new Int32Array(cap);
  let right = new Int32Array(cap);
  let value = new Float32Array(cap);
  let nodes = 0;
  const newNode = () => {
    if (nodes === cap) {
      cap *= 2;
      const grow = <T extends Int32Array | Uint8Array | Float32Array>(a: T, make: (k: number) => T) => {
        const b = make(cap);
        b.set(a);
        return b;
      };
      feature = grow(feature, (k) => new Int32Array(k));
      threshold = grow(threshold, (k) => new Uint8Array(k));
      left = grow(left, (k) => new Int32Array(k));
      right = grow(right, (k) => new Int32Array(k));
      value = grow(value, (k) => new Float32Array(k));
    }
    left[nodes] = -1;
    right[nodes] = -1;
    feature[nodes] = -1;
    return nodes++;
  };

  // Histogram scratch: total weight, class-1 weight and row count per bin, for one feature at a time.
  const h0 = new Float64Array(256);
  const h1 = new Float64Array(256);
  const hc = new Int32Array(256);
  const order = Int32Array.from({ length: nFeatures }, (_, f) => f);

  // Depth-first with an explicit stack of [start, end, depth, node].
  const stack: number[] = [0, m, 0, newNode()];
  while (stack.length) {
    const node = stack.pop()!;
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    let W = 0;
    let W1 = 0;
    for (let k = start; k < end; k++) {
      const i = rows[k]!;
      W += weight[i]!;
      W1 += wy[i]!;
    }
    const W0 = W - W1;
    value[node] = W > 0 ? W1 / W : 0;
    const count = end - start;
    if (depth >= opts.maxDepth || count < opts.minSamplesSplit || count < 2 * opts.minSamplesLeaf || W0 === 0 || W1 === 0) continue;

    const parentImpurity = W - (W0 * W0 + W1 * W1) / W;
    let bestGain = 1e-12;
    let bestFeature = -1;
    let bestBin = 0;
    // Sample features without replacement; like scikit-learn, keep drawing past mtry while the
    // drawn features are constant in this node.
    let tried = 0;
    for (let j = 0; j < nFeatures && tried < opts.maxFeatures; j++) {
      const pick = j + Math.floor(rng.next() * (nFeatures - j));
      const f = order[pick]!;
      order[pick] = order[j]!;
      order[j] = f;
      const col = f * m;
      let lo = 255;
      let hi = 0;
      for (let k = start; k < end; k++) {
        const i = rows[k]!;
        const b = bins[col + i]!;
        if (b < lo) lo = b;
        if (b > hi) hi = b;
        hc[b]!++;
        h0[b]! += weight[i]!;
        h1[b]! += wy[i]!;
      }
      if (lo === hi) {
        h0[lo] = 0;
        h1[lo] = 0;
        hc[lo] = 0;
        continue;
      }
      tried++;
      let l0 = 0;
      let l1 = 0;
      let lc = 0;
      for (let b = lo; b < hi; b++) {
        l0 += h0[b]! - h1[b]!;
        l1 += h1[b]!;
        lc += hc[b]!;
        h0[b] = 0;
        h1[b] = 0;
        hc[b] = 0;
        if (lc < opts.minSamplesLeaf) continue;
        if (count - lc < opts.minSamplesLeaf) break;
        const wl = l0 + l1;
        const r0 = W0 - l0;
        const r1 = W1 - l1;
        const wr = r0 + r1;
        if (wl <= 0 || wr <= 0) continue;
        const gain = parentImpurity - (wl - (l0 * l0 + l1 * l1) / wl) - (wr - (r0 * r0 + r1 * r1) / wr);
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
        }
      }
      for (let b = lo; b <= hi; b++) {
        h0[b] = 0;
        h1[b] = 0;
        hc[b] = 0;
      }
    }
    if (bestFeature < 0) continue;

    // Partition rows[start, end) in place: bin ≤ bestBin to the left.
    const col = bestFeature * m;
    let a = start;
    let z = end - 1;
    while (a <= z) {
      if (bins[col + rows[a]!]! <= bestBin) a++;
      else {
        const t = rows[a]!;
        rows[a] = rows[z]!;
        rows[z] = t;
        z--;
      }
    }
    feature[node] = bestFeature;
    threshold[node] = bestBin;
    const l = newNode();
    const r = newNode();
    left[node] = l;
    right[node] = r;
    stack.push(a, end, depth + 1, r, start, a, depth + 1, l);
  }
  return {
    feature: feature.slice(0, nodes),
    threshold: threshold.slice(0, nodes),
    left: left.slice(0, nodes),
    right: right.slice(0, nodes),
    value: value.slice(0, nodes),
  };
}

/** Leaf value reached by row i of feature-major bins (length n per feature). */
export function predictRow(tree: Tree, bins: Uint8Array, n: number, i: number): number {
  let node = 0;
  while (tree.left[node]! >= 0) {
    node = bins[tree.feature[node]! * n + i]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}
