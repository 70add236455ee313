/** Probability calibration fitted on the validation window: Platt scaling or isotonic regression. */
export type Calibration =
  | { method: 'platt'; a: number; b: number }
  | { method: 'isotonic'; x: number[]; y: number[] }
  | { method: 'none' };

const logit = (p: number) => Math.log(Math.min(1 - 1e-6, Math.max(1e-6, p)) / (1 - Math.min(1 - 1e-6, Math.max(1e-6, p))));

/** Platt scaling: p' = σ(a·logit(p) + b), fitted by Newton's method on the log-loss. */
export function fitPlatt(p: ArrayLike<number>, y: ArrayLike<number>): Calibration {
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (let i = 0; i < p.length; i++) {
      const x = logit(p[i]!);
      const q = 1 / (1 + Math.exp(-(a * x + b)));
      const d = q - y[i]!;
      const w = Math.max(q * (1 - q), 1e-12);
      ga += d * x;
      gb += d;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    haa += 1e-9;
    hbb += 1e-9;
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-18) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { method: 'platt', a, b };
}

/**
 * Isotonic regression by pool-adjacent-violators; applied with linear interpolation. Each block's
 * rate is shrunk toward the overall rate by the weight of one row: a block without an exit is not
 * a probability of 0 (nor one of only exits 1). A 0 told a student "no risk at all", and one exit
 * among the rows it was applied to cost the log-loss 34.5 (−ln 1e-15): with 565 validation exits on
 * the 20 000-student cohort, that was enough to choose the worse candidate.
 */
export function fitIsotonic(p: ArrayLike<number>, y: ArrayLike<number>): Calibration {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((i, j) => p[i]! - p[j]!);
  const blocks: { sumX: number; sumY: number; n: number }[] = [];
  for (const i of idx) {
    blocks.push({ sumX: p[i]!, sumY: y[i]!, n: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const prev = blocks[blocks.length - 2]!;
      // Equal rates are pooled too: the same fit, in the fewest (largest) blocks.
      if (prev.sumY / prev.n < last.sumY / last.n) break;
      prev.sumX += last.sumX;
      prev.sumY += last.sumY;
      prev.n += last.n;
      blocks.pop();
    }
  }
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const rate = positives / Math.max(1, y.length);
  // Shrinking moves small blocks more than large ones; the running maximum keeps the map monotone.
  const rates = blocks.map((b) => (b.sumY + rate) / (b.n + 1));
  for (let k = 1; k < rates.length; k++) rates[k] = Math.max(rates[k]!, rates[k - 1]!);
  return { method: 'isotonic', x: blocks.map((b) => b.sumX / b.n), y: rates };
}

/** Applies a calibration to one raw forest probability. */
export function calibrate(c: Calibration, p: number): number {
  if (c.method === 'none') return p;
  if (c.method === 'platt') return 1 / (1 + Math.exp(-(c.a * logit(p) + c.b)));
  const { x, y } = c;
  if (p <= x[0]!) return y[0]!;
  if (p >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= p) lo = mid;
    else hi = mid;
  }
  const t = (p - x[lo]!) / (x[hi]! - x[lo]! || 1);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}

/** Fits the method the spec asks for ('auto': isotonic with at least 200 positives, else Platt). */
export function fitCalibration(method: 'platt' | 'isotonic' | 'auto', p: ArrayLike<number>, y: ArrayLike<number>): Calibration {
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  if (positives === 0 || positives === y.length) return { method: 'none' };
  const use = method === 'auto' ? (positives >= 200 ? 'isotonic' : 'platt') : method;
  return use === 'isotonic' ? fitIsotonic(p, y) : fitPlatt(p, y);
}
