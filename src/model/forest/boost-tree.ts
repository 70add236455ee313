import { MISSING_BIN } from './binning.js';

/**
 * One boosted tree as flat arrays. Internal nodes have left ≥ 0. A numeric split sends bins
 * ≤ threshold left; missing (bin 0) goes left when `missingLeft`. A categorical split (categorical
 * = 1) sends the bins whose bit is set in `catBits` (8 words per node) left; missing and a category
 * never seen there go right unless their bit is set. `value` is the node's Newton step times the
 * learning rate, internal nodes included (path contributions need them).
 */
export interface BoostTree {
  feature: Int32Array;
  threshold: Uint8Array;
  missingLeft: Uint8Array;
  categorical: Uint8Array;
  catBits: Uint32Array;
  left: Int32Array;
  right: Int32Array;
  value: Float32Array;
}

/** The child a row whose bin in the node's feature is `b` goes to from internal node `node`. */
export function childOf(t: BoostTree, node: number, b: number): number {
  const goLeft = t.categorical[node] ? (t.catBits[node * 8 + (b >>> 5)]! & (1 << (b & 31))) !== 0 : b === MISSING_BIN ? t.missingLeft[node] === 1 : b <= t.threshold[node]!;
  return goLeft ? t.left[node]! : t.right[node]!;
}

/**
 * Where a row lands (the leaf's node index): its bin of feature f is bins[at + f * step] (row-major
 * bins of F features: at = i × F, step 1; feature by feature, n rows: at = i, step n).
 */
export function leafOf(t: BoostTree, bins: Uint8Array, at: number, step: number): number {
  let node = 0;
  while (t.left[node]! >= 0) node = childOf(t, node, bins[at + t.feature[node]! * step]!);
  return node;
}
