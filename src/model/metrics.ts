/** Model-quality metrics over probabilities `p` and 0/1 labels `y`. Pure functions. */

/** Indices of p sorted by descending score. */
function descending(p: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: p.length }, (_, i) => i);
  return idx.sort((a, b) => p[b]! - p[a]!);
}

/** ROC AUC (ties count one half), by the rank-sum formula. */
export function rocAuc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Int32Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let k = 0; k < idx.length; ) {
    let j = k;
    while (j + 1 < idx.length && p[idx[j + 1]!] === p[idx[k]!]) j++;
    const avgRank = (k + j) / 2 + 1;
    for (let m = k; m <= j; m++) if (y[idx[m]!]) {
      pos++;
      rankSum += avgRank;
    }
    k = j + 1;
  }
  const neg = p.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision (PR AUC as scikit-learn's average_precision_score computes it). */
export function averagePrecision(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = descending(p);
  let totalPos = 0;
  for (let i = 0; i < y.length; i++) totalPos += y[i]!;
  if (totalPos === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < idx.length; ) {
    let j = k;
    while (j + 1 < idx.length && p[idx[j + 1]!] === p[idx[k]!]) j++;
    for (let m = k; m <= j; m++) if (y[idx[m]!]) tp++;
    else fp++;
    const recall = tp / totalPos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
    k = j + 1;
  }
  return ap;
}

/** Mean negative log-likelihood of the labels (probabilities clipped to [1e-15, 1 − 1e-15]). */
export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]!));
    s -= y[i] ? Math.log(q) : Math.log(1 - q);
  }
  return s / Math.max(1, p.length);
}

/** Mean squared error of the probabilities. */
export function brier(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - y[i]!) ** 2;
  return s / p.length;
}

/** Calibration table: `bins` equal-width probability bins with mean prediction and observed rate. */
export function calibrationTable(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): { from: number; to: number; n: number; predicted: number; observed: number }[] {
  const n = new Array<number>(bins).fill(0);
  const sp = new Array<number>(bins).fill(0);
  const sy = new Array<number>(bins).fill(0);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.floor(p[i]! * bins));
    n[b]!++;
    sp[b]! += p[i]!;
    sy[b]! += y[i]!;
  }
  return n.map((c, b) => ({ from: b / bins, to: (b + 1) / bins, n: c, predicted: c ? sp[b]! / c : NaN, observed: c ? sy[b]! / c : NaN }));
}

/** Calibration by risk decile: ten equal-sized groups from the lowest to the highest predictions, each with its mean prediction and observed rate. */
export function calibrationDeciles(p: ArrayLike<number>, y: ArrayLike<number>): { decile: number; n: number; predicted: number; observed: number }[] {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  const out: { decile: number; n: number; predicted: number; observed: number }[] = [];
  for (let d = 0; d < 10; d++) {
    const part = order.slice(Math.floor((d * order.length) / 10), Math.floor(((d + 1) * order.length) / 10));
    if (!part.length) continue;
    out.push({ decile: d + 1, n: part.length, predicted: part.reduce((s, i) => s + p[i]!, 0) / part.length, observed: part.reduce((s, i) => s + y[i]!, 0) / part.length });
  }
  return out;
}

/** Expected calibration error over equal-width bins. */
export function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): number {
  return calibrationTable(p, y, bins).reduce((e, b) => (b.n ? e + (b.n / p.length) * Math.abs(b.predicted - b.observed) : e), 0);
}

/** Precision and recall when the top `share` of rows by score are flagged (staff capacity). */
export function atCapacity(p: ArrayLike<number>, y: ArrayLike<number>, share: number): { flagged: number; precision: number; recall: number } {
  const idx = descending(p);
  const k = Math.max(1, Math.round(share * p.length));
  let tp = 0;
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i]!;
  for (let m = 0; m < k; m++) tp += y[idx[m]!]!;
  return { flagged: k, precision: tp / k, recall: pos ? tp / pos : NaN };
}

/** Stratified k-fold assignment (fold index per row), shuffled with `rand`. */
export function stratifiedFolds(y: ArrayLike<number>, k: number, rand: () => number): Int32Array {
  const fold = new Int32Array(y.length);
  for (const cls of [0, 1]) {
    const rows = Array.from({ length: y.length }, (_, i) => i).filter((i) => y[i] === cls);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    rows.forEach((r, m) => (fold[r] = m % k));
  }
  return fold;
}
