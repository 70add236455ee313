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

/** Where row i of row-major bins (`features` per row) lands: the leaf's node index. */
export function leafOf(t: BoostTree, bins: Uint8Array, features: number, i: number): number {
  let node = 0;
  const r = i * features;
  while (t.left[node]! >= 0) node = childOf(t, node, bins[r + t.feature[node]!]!);
  return node;
}
