import { Random } from '../../core/random.js';

/** Bin 0 holds missing values (NaN); values go to bins 1…255. */
export const MISSING_BIN = 0;
export const MAX_VALUE_BINS = 255;

/**
 * Cut points per feature: a value v goes to bin 1 + (number of cuts < v). At most 254 cuts,
 * so at most 255 value bins plus the missing bin fit a Uint8Array.
 */
export type Cuts = Float64Array;

/** Quantile cut points from (a sample of) one feature's values. */
export function fitCuts(values: Float64Array, rng: Random, sampleSize = 200_000): Cuts {
  // Loops, not TypedArray filter or a list of distinct values: those cost binning more than the sort.
  let sample: Float64Array;
  let k = 0;
  if (values.length <= sampleSize) {
    sample = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isNaN(v)) sample[k++] = v;
    }
  } else {
    sample = new Float64Array(sampleSize);
    for (let i = 0; i < sampleSize; i++) {
      const v = values[Math.floor(rng.next() * values.length)]!;
      if (!Number.isNaN(v)) sample[k++] = v;
    }
  }
  sample = sample.subarray(0, k);
  sample.sort();
  let distinct = 0;
  for (let i = 0; i < sample.length && distinct <= MAX_VALUE_BINS; i++) if (i === 0 || sample[i] !== sample[i - 1]) distinct++;
  if (distinct <= MAX_VALUE_BINS) {
    // Few distinct values: one bin each, cut half-way between neighbours.
    const cuts = new Float64Array(Math.max(0, distinct - 1));
    for (let i = 1, c = 0; i < sample.length; i++) if (sample[i] !== sample[i - 1]) cuts[c++] = (sample[i - 1]! + sample[i]!) / 2;
    return cuts;
  }
  const cuts: number[] = [];
  for (let q = 1; q < MAX_VALUE_BINS; q++) {
    const v = sample[Math.min(sample.length - 1, Math.floor((q * sample.length) / MAX_VALUE_BINS))]!;
    if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
  }
  return Float64Array.from(cuts);
}

/** Bin index of one value. */
export function binOf(v: number, cuts: Cuts): number {
  if (Number.isNaN(v)) return MISSING_BIN;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/** Bins one column into `out` (length n). */
export function binColumn(values: Float64Array, cuts: Cuts, out: Uint8Array): void {
  for (let i = 0; i < values.length; i++) out[i] = binOf(values[i]!, cuts);
}
