/** Bins per feature in a histogram (bin 0: missing; 1…255: values). */
export const BINS = 256;
/** Numbers per bin: gradient sum, hessian sum, row count (and one unused, so a bin is half a cache line). */
export const STRIDE = 4;
/** Numbers in one histogram slot: every feature's bins. */
export const slotSize = (nFeatures: number): number => nFeatures * BINS * STRIDE;
/** Where feature f's histogram of slot `slot` begins in the arena: bin b's sums are at + b * STRIDE (g, h, count). */
export const histogramAt = (nFeatures: number, slot: number, f: number): number => (slot * nFeatures + f) * BINS * STRIDE;

/** A category with fewer rows in a node than this is not ordered among the others there (it follows missing). */
const MIN_CATEGORY_ROWS = 10;
/** Smoothing of a category's gradient ratio when ordering categories (as scikit-learn's MIN_CAT_SUPPORT / LightGBM's cat_smooth). */
const CATEGORY_SMOOTH = 10;
const MIN_HESSIAN = 1e-3;

/** What a split search needs beyond the histograms. */
export interface SplitRules {
  minSamplesLeaf: number;
  /** L2 penalty on leaf values (λ in −G / (H + λ)). */
  l2: number;
}

/** The leaf a split is searched for: its histograms' slot, gradient and hessian sums, rows. */
export interface LeafSums {
  slot: number;
  G: number;
  H: number;
  count: number;
}

/**
 * Numbers a found split takes in a shared array: gain (0: none), feature, threshold, missing to
 * the left (0/1), then the 8 words of a categorical split's left bins.
 */
export const SPLIT_WORDS = 12;

/**
 * The best split of a leaf over `features` (ascending), written at `out[at …]` (SPLIT_WORDS). A
 * numeric split sends bins ≤ threshold left, missing (bin 0) as `missingLeft` says; a categorical
 * one the bins whose bit is set. Among equal gains the first feature wins, so threads that each
 * search some features and keep the first of equal gains in feature order find what one would.
 */
export function searchSplit(hist: Float64Array, nFeatures: number, leaf: LeafSums, features: Int32Array, categorical: Uint8Array, rules: SplitRules, out: Float64Array, at: number): void {
  const { G, H, count } = leaf;
  const { minSamplesLeaf: minLeaf, l2 } = rules;
  const leafGain = (g: number, h: number) => (g * g) / (h + l2);
  const parent = leafGain(G, H);
  const fits = (c: number, h: number) => c >= minLeaf && count - c >= minLeaf && h >= MIN_HESSIAN && H - h >= MIN_HESSIAN;
  let bestGain = 1e-12;
  let bestFeature = -1;
  let bestThreshold = 0;
  let bestMissingLeft = false;
  // A categorical best: its categories in order and how many of them go left.
  let bestSeq: number[] | null = null;
  let bestTake = 0;
  for (let j = 0; j < features.length; j++) {
    const f = features[j]!;
    const o = histogramAt(nFeatures, leaf.slot, f);
    const mg = hist[o]!;
    const mh = hist[o + 1]!;
    const mc = hist[o + 2]!;
    if (!categorical[f]) {
      // Numeric: bins 1…255 in order; missing tried on each side.
      let hi = 255;
      while (hi > 0 && hist[o + hi * STRIDE + 2] === 0) hi--;
      let lg = 0;
      let lh = 0;
      let lc = 0;
      for (let b = 1; b < hi; b++) {
        const a = o + b * STRIDE;
        const c = hist[a + 2]!;
        // An empty bin splits the rows as the bin before it did (a tie never replaces the best).
        if (c === 0) continue;
        lg += hist[a]!;
        lh += hist[a + 1]!;
        lc += c;
        // Missing to the right, then (if any) to the left.
        if (fits(lc, lh)) {
          const gain = leafGain(lg, lh) + leafGain(G - lg, H - lh) - parent;
          if (gain > bestGain) [bestGain, bestFeature, bestThreshold, bestMissingLeft, bestSeq] = [gain, f, b, false, null];
        }
        if (mc > 0 && fits(lc + mc, lh + mh)) {
          const cg = lg + mg;
          const ch = lh + mh;
          const gain = leafGain(cg, ch) + leafGain(G - cg, H - ch) - parent;
          if (gain > bestGain) [bestGain, bestFeature, bestThreshold, bestMissingLeft, bestSeq] = [gain, f, b, true, null];
        }
      }
      // Missing alone against every value.
      if (fits(mc, mh)) {
        const gain = leafGain(mg, mh) + leafGain(G - mg, H - mh) - parent;
        if (gain > bestGain) [bestGain, bestFeature, bestThreshold, bestMissingLeft, bestSeq] = [gain, f, 0, true, null];
      }
    } else {
      // Categorical: categories (missing among them) ordered by their smoothed gradient ratio,
      // then the best cut of that order, scanned from both ends.
      const cats: number[] = [];
      for (let b = 0; b < BINS; b++) if (hist[o + b * STRIDE + 2]! >= MIN_CATEGORY_ROWS) cats.push(b);
      if (cats.length < 2) continue;
      const ratio = (b: number) => hist[o + b * STRIDE]! / (hist[o + b * STRIDE + 1]! + CATEGORY_SMOOTH);
      cats.sort((a, b) => ratio(a) - ratio(b));
      for (const seq of [cats, [...cats].reverse()]) {
        let lg = 0;
        let lh = 0;
        let lc = 0;
        for (let k = 0; k < seq.length - 1; k++) {
          const b = seq[k]!;
          lg += hist[o + b * STRIDE]!;
          lh += hist[o + b * STRIDE + 1]!;
          lc += hist[o + b * STRIDE + 2]!;
          if (!fits(lc, lh)) continue;
          const gain = leafGain(lg, lh) + leafGain(G - lg, H - lh) - parent;
          if (gain > bestGain) [bestGain, bestFeature, bestThreshold, bestMissingLeft, bestSeq, bestTake] = [gain, f, 0, false, seq, k + 1];
        }
      }
    }
  }
  out.fill(0, at, at + SPLIT_WORDS);
  if (bestFeature < 0) return;
  out[at] = bestGain;
  out[at + 1] = bestFeature;
  out[at + 2] = bestThreshold;
  out[at + 3] = bestMissingLeft ? 1 : 0;
  if (bestSeq) for (const c of bestSeq.slice(0, bestTake)) out[at + 4 + (c >>> 5)] = (out[at + 4 + (c >>> 5)]! | (1 << (c & 31))) >>> 0;
}
