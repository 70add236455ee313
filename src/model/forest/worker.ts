import { parentPort, workerData } from 'node:worker_threads';
import { growTree, type BinnedData, type TreeOptions } from './tree.js';

/** Grows the trees it is given over the shared binned data and posts each one back. */
const d = workerData as BinnedData & { treeOptions: TreeOptions; seed: number; trees: number[] };
const data: BinnedData = { n: d.n, nFeatures: d.nFeatures, bins: d.bins, binCount: d.binCount, y: d.y };
for (const t of d.trees) {
  const tree = growTree(data, d.treeOptions, d.seed, t);
  parentPort!.postMessage({ t, tree }, [tree.feature.buffer, tree.threshold.buffer, tree.left.buffer, tree.right.buffer, tree.value.buffer] as ArrayBuffer[]);
}
