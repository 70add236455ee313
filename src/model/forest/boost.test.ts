import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { rocAuc } from '../metrics.js';
import { boosterContributions, boosterProba, boosterRaw, deserializeBooster, serializeBooster, trainBoosting } from './boost.js';

/** Rows with two informative features that interact (XOR), one noise feature, some missing values. */
function xorData(n: number, seed: number) {
  const rng = new Random(seed);
  const cols = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.next();
    const b = rng.next();
    cols[0]![i] = a;
    cols[1]![i] = b;
    cols[2]![i] = rng.next();
    y[i] = (a > 0.5) !== (b > 0.5) ? (rng.next() < 0.9 ? 1 : 0) : rng.next() < 0.1 ? 1 : 0;
    if (rng.next() < 0.05) cols[2]![i] = NaN;
  }
  return { cols, y };
}

describe('gradient-boosted trees', () => {
  it('learn an interaction no single split shows, and stop early on the held-out rows', () => {
    const train = xorData(4000, 1);
    const test = xorData(2000, 2);
    const b = trainBoosting(train.cols, train.y, { maxIter: 300, seed: 3 });
    expect(rocAuc(boosterProba(b, test.cols), test.y)).toBeGreaterThan(0.85);
    // Early stopping: fewer rounds than allowed, the kept ones end at the best validation loss.
    expect(b.trees.length).toBeLessThan(300);
    expect(Math.min(...b.validationLoss)).toBe(b.validationLoss[b.trees.length - 1]);
  });

  it('give each leaf the Newton step of exactly its rows (the larger child histogram is its parent minus the smaller)', () => {
    const { cols, y } = xorData(3000, 4);
    const opts = { maxIter: 1, patience: 0, learningRate: 0.3, l2: 1.5, maxLeafNodes: 12, minSamplesLeaf: 30 };
    const b = trainBoosting(cols, y, opts);
    const t = b.trees[0]!;
    const p0 = 1 / (1 + Math.exp(-b.baseScore));
    // Each row's leaf, found by walking the tree with its raw value difference.
    const raw = boosterRaw(b, cols);
    const byLeaf = new Map<number, { g: number; h: number; n: number }>();
    for (let i = 0; i < y.length; i++) {
      const key = Math.round((raw[i]! - b.baseScore) * 1e6);
      const s = byLeaf.get(key) ?? { g: 0, h: 0, n: 0 };
      s.g += p0 - y[i]!;
      s.h += p0 * (1 - p0);
      s.n++;
      byLeaf.set(key, s);
    }
    const leaves = Array.from(t.left.keys()).filter((k) => t.left[k]! < 0);
    expect(leaves.length).toBe(12);
    expect(byLeaf.size).toBe(leaves.length);
    for (const [key, s] of byLeaf) {
      expect(key / 1e6).toBeCloseTo((-s.g / (s.h + 1.5)) * 0.3, 5);
      expect(s.n).toBeGreaterThanOrEqual(30);
    }
  });

  it('split categories by sets, not by their codes, and send a category never seen to the missing side', () => {
    // Codes 0, 2, 4 are mostly positive, 1, 3, 5 mostly negative: no single threshold on the codes separates them.
    const rng = new Random(5);
    const n = 3000;
    const code = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      code[i] = Math.floor(rng.next() * 6);
      y[i] = rng.next() < (code[i]! % 2 === 0 ? 0.85 : 0.15) ? 1 : 0;
    }
    const opts = { maxIter: 1, patience: 0, maxLeafNodes: 2, learningRate: 1 };
    const native = trainBoosting([code], y, { ...opts, categorical: [true] });
    const ordinal = trainBoosting([code], y, { ...opts, categorical: [false] });
    const aucNative = rocAuc(boosterProba(native, [code]), y);
    const aucOrdinal = rocAuc(boosterProba(ordinal, [code]), y);
    expect(aucNative).toBeGreaterThan(0.8);
    expect(aucOrdinal).toBeLessThan(aucNative - 0.1);
    // Code 9 never occurred: scored as a missing value would be.
    expect(boosterRaw(native, [Float64Array.of(9)])[0]).toBe(boosterRaw(native, [Float64Array.of(NaN)])[0]);
  });

  it('learn where missing values go', () => {
    const rng = new Random(6);
    const n = 2000;
    const x = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const missing = rng.next() < 0.3;
      x[i] = missing ? NaN : rng.next();
      y[i] = rng.next() < (missing ? 0.8 : x[i]! < 0.5 ? 0.1 : 0.3) ? 1 : 0;
    }
    const b = trainBoosting([x], y, { maxIter: 20, patience: 0 });
    const [pMissing, pLow, pHigh] = boosterProba(b, [Float64Array.of(NaN, 0.2, 0.8)]);
    expect(pMissing!).toBeGreaterThan(pHigh!);
    expect(pHigh!).toBeGreaterThan(pLow!);
  });

  it('explain each row: bias plus contributions equals its log-odds', () => {
    const { cols, y } = xorData(2000, 7);
    const b = trainBoosting(cols, y, { maxIter: 30, patience: 0, colsample: 0.67, subsample: 0.8 });
    const raw = boosterRaw(b, cols);
    for (const i of [0, 17, 404, 1999]) {
      const { bias, contributions } = boosterContributions(b, cols.map((c) => c[i]!));
      expect(bias + contributions.reduce((s, v) => s + v, 0)).toBeCloseTo(raw[i]!, 6);
    }
    // The noise feature explains little next to the two that interact.
    const total = [0, 1, 2].map((f) => cols[0]!.reduce((s, _, i) => s + Math.abs(boosterContributions(b, cols.map((c) => c[i]!)).contributions[f]!), 0));
    expect(total[2]!).toBeLessThan(Math.min(total[0]!, total[1]!) / 2);
  });

  it('are the same model whether one thread works on each node or helpers share its features, and survive their file form', () => {
    const { cols, y } = xorData(16_000, 8);
    const code = Float64Array.from(cols[0]!, (v) => Math.floor(v * 5));
    const opts = { maxIter: 25, patience: 5, subsample: 0.7, colsample: 0.75, categorical: [false, false, false, true] };
    const one = trainBoosting([...cols, code], y, { ...opts, threads: 1 });
    const two = trainBoosting([...cols, code], y, { ...opts, threads: 2 });
    const three = trainBoosting([...cols, code], y, { ...opts, threads: 3 });
    expect(serializeBooster({ ...two, options: one.options })).toBe(serializeBooster(one));
    expect(serializeBooster({ ...three, options: one.options })).toBe(serializeBooster(one));
    // Without early stopping too (no validation rows to share with the helpers).
    const plain = { ...opts, patience: 0, maxIter: 8 };
    const alone = trainBoosting([...cols, code], y, { ...plain, threads: 1 });
    expect(serializeBooster({ ...trainBoosting([...cols, code], y, { ...plain, threads: 2 }), options: alone.options })).toBe(serializeBooster(alone));
    const back = deserializeBooster(serializeBooster(one));
    expect(Array.from(boosterRaw(back, [...cols, code]))).toEqual(Array.from(boosterRaw(one, [...cols, code])));
  });

  it('are the same model from some rows of the columns as from a copy of those rows', () => {
    const { cols, y } = xorData(6000, 9);
    const code = Float64Array.from(cols[1]!, (v) => Math.floor(v * 4));
    const all = [...cols, code];
    // Fit on two rows in three, stop early on the rest (or hold a share out of the fitted ones).
    const fit = [...y.keys()].filter((i) => i % 3 !== 1);
    const stop = [...y.keys()].filter((i) => i % 3 === 1);
    const copy = (rows: number[]) => all.map((c) => Float64Array.from(rows, (i) => c[i]!));
    const labels = (rows: number[]) => Uint8Array.from(rows, (i) => y[i]!);
    const opts = { maxIter: 40, patience: 5, subsample: 0.8, categorical: [false, false, false, true], seed: 5 };
    const held = trainBoosting({ columns: all, rows: fit }, labels(fit), opts);
    expect(serializeBooster(held)).toBe(serializeBooster(trainBoosting(copy(fit), labels(fit), opts)));
    const given = trainBoosting({ columns: all, rows: fit }, labels(fit), opts, { columns: all, rows: stop, y: labels(stop) });
    expect(serializeBooster(given)).toBe(serializeBooster(trainBoosting(copy(fit), labels(fit), opts, { columns: copy(stop), y: labels(stop) })));
    expect(serializeBooster(given)).not.toBe(serializeBooster(held));
  });
});
