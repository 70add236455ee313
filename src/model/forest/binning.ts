import { Random } from '../../core/random.js';

/** Bin 0 holds missing values (NaN); values go to bins 1…255. */
export const MISSING_BIN = 0;
export const MAX_VALUE_BINS = 255;

/**
 * Cut points per feature: a value v goes to bin 1 + (number of cuts < v). At most 254 cuts,
 * so at most 255 value bins plus the missing bin fit a Uint8Array.
 */
export type Cuts = Float64Array;

/**
 * Parts a[lo, hi) around p: the values below p first, then those equal, then those above. Returns
 * where the equal and the larger ones begin.
 */
export type Split3 = (a: Float64Array, lo: number, hi: number, p: number) => [number, number];

/**
 * Split3 in two passes without branches (each value is swapped and one end moves by the outcome
 * of its comparison: on varied values a branch is a coin toss to the processor, and its wrong
 * guesses cost more than the writes).
 */
export const split3: Split3 = (a, lo, hi, p) => {
  let lt = lo;
  for (let i = lo; i < hi; i++) {
    const v = a[i]!;
    a[i] = a[lt]!;
    a[lt] = v;
    lt += +(v < p);
  }
  let eq = lt;
  for (let i = lt; i < hi; i++) {
    const v = a[i]!;
    a[i] = a[eq]!;
    a[eq] = v;
    eq += +(v <= p);
  }
  return [lt, eq];
};

/**
 * Quantile cut points from (a sample of) one feature's values: a cut half-way between each pair of
 * distinct neighbours when there are at most 255 distinct values, else the values at ranks q · n /
 * 255 of the sorted sample. The sample goes into `room` when it is large enough (the boosting
 * threads' shared memory, where `split` parts it with the WebAssembly kernel).
 */
export function fitCuts(values: Float64Array, rng: Random, sampleSize = 200_000, room?: Float64Array, split: Split3 = split3): Cuts {
  // The sample without NaN by a loop into one array (a TypedArray filter costs binning more than the selection).
  const size = Math.min(values.length, sampleSize);
  const sample = room && room.length >= size ? room.subarray(0, size) : new Float64Array(size);
  let k = 0;
  if (values.length <= sampleSize) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isNaN(v)) sample[k++] = v;
    }
  } else {
    for (let i = 0; i < sampleSize; i++) {
      const v = values[Math.floor(rng.next() * values.length)]!;
      if (!Number.isNaN(v)) sample[k++] = v;
    }
  }
  const few = distinctValues(sample.subarray(0, k), MAX_VALUE_BINS);
  if (few) {
    // Few distinct values: one bin each, cut half-way between neighbours.
    few.sort();
    const cuts = new Float64Array(Math.max(0, few.length - 1));
    for (let i = 1; i < few.length; i++) cuts[i - 1] = (few[i - 1]! + few[i]!) / 2;
    return cuts;
  }
  const ranks = Int32Array.from({ length: MAX_VALUE_BINS - 1 }, (_, q) => Math.min(k - 1, Math.floor(((q + 1) * k) / MAX_VALUE_BINS)));
  selectRanks(sample.subarray(0, k), ranks, split);
  const cuts: number[] = [];
  for (const r of ranks) {
    // A zero cut is +0 whichever zero the selection left there (they bin alike).
    const v = sample[r]! + 0;
    if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
  }
  return Float64Array.from(cuts);
}

/** The distinct values of `a` (−0 as 0), or null when there are more than `limit` (stopping there). */
function distinctValues(a: Float64Array, limit: number): Float64Array | null {
  // A Set holds −0 and 0 as one value (SameValueZero), as the cuts do.
  const seen = new Set<number>();
  for (let i = 0; i < a.length; i++) {
    seen.add(a[i]!);
    if (seen.size > limit) return null;
  }
  return Float64Array.from(seen, (v) => v + 0);
}

/** Rows of a part below which it is sorted outright. */
const SORT_BELOW = 48;

/**
 * Puts in place the values a sorted copy of `a` holds at each of `ranks` (ascending): parts around
 * a median of three, keeping only the parts that hold a rank (a selection for many ranks at once,
 * as numpy's percentile does, instead of a full sort).
 */
function selectRanks(a: Float64Array, ranks: Int32Array, split: Split3): void {
  let state = 0x2545f491;
  const draw = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const stack = [0, a.length, 0, ranks.length];
  while (stack.length) {
    const rhi = stack.pop()!;
    const rlo = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (rlo >= rhi) continue;
    if (hi - lo <= SORT_BELOW) {
      a.subarray(lo, hi).sort();
      continue;
    }
    // The median of three values at places drawn from a fixed sequence: no order of the values
    // (sorted, reversed, organ pipes) makes every part lopsided.
    const x = a[lo + (draw() % (hi - lo))]!;
    const y = a[lo + (draw() % (hi - lo))]!;
    const z = a[lo + (draw() % (hi - lo))]!;
    const p = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    const [lt, eq] = split(a, lo, hi, p);
    let r1 = rlo;
    while (r1 < rhi && ranks[r1]! < lt) r1++;
    let r2 = r1;
    while (r2 < rhi && ranks[r2]! < eq) r2++;
    stack.push(lo, lt, rlo, r1, eq, hi, r2, rhi);
  }
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

/**
 * Bins one column into `out`: value i at offset + i * stride. The same bins as binOf, found by a
 * search without branches over the cuts padded to 255 with +Infinity: eight comparisons whose
 * outcomes are added, not branched on (8× faster than binOf's loop, whose branches the processor
 * cannot predict).
 */
export function binColumn(values: Float64Array, cuts: Cuts, out: Uint8Array, offset = 0, stride = 1): void {
  const p = new Float64Array(256).fill(Infinity);
  p.set(cuts);
  for (let j = 0; j < values.length; j++) {
    const v = values[j]!;
    if (Number.isNaN(v)) {
      out[offset + j * stride] = MISSING_BIN;
      continue;
    }
    // i = the number of cuts below v.
    let i = +(p[127]! < v) << 7;
    i += +(p[i + 63]! < v) << 6;
    i += +(p[i + 31]! < v) << 5;
    i += +(p[i + 15]! < v) << 4;
    i += +(p[i + 7]! < v) << 3;
    i += +(p[i + 3]! < v) << 2;
    i += +(p[i + 1]! < v) << 1;
    i += +(p[i]! < v);
    out[offset + j * stride] = i + 1;
  }
}

/** Categories a categorical feature may have (codes 0…253); more are read as numbers. */
export const MAX_CATEGORIES = MAX_VALUE_BINS - 1;

/** Bin of a category code: code + 1; missing, negative, fractional or too large codes are missing. */
export function categoryBin(v: number): number {
  return Number.isInteger(v) && v >= 0 && v < MAX_CATEGORIES ? v + 1 : MISSING_BIN;
}

/** Bins one feature's column into `out` at f + i × F: row-major bins of F features (F = 1: a column of its own). */
export function binFeature(col: Float64Array, f: number, F: number, cuts: Cuts, categorical: boolean, out: Uint8Array<ArrayBufferLike>): void {
  if (categorical) for (let i = 0; i < col.length; i++) out[i * F + f] = categoryBin(col[i]!);
  else binColumn(col, cuts, out, f, F);
}
