import { describe, expect, it } from 'vitest';
import { Random } from '../core/random.js';
import { calibrate, fitIsotonic } from './calibration.js';
import { logLoss } from './metrics.js';

describe('isotonic calibration', () => {
  // Scores in [0, 1); no exit among the lowest 300, only exits among the highest 20.
  const rng = new Random(4);
  const p = Array.from({ length: 1000 }, () => rng.next()).sort((a, b) => a - b);
  const y = p.map((v, i) => (i < 300 ? 0 : i >= 980 ? 1 : rng.next() < v ? 1 : 0));

  it('never says 0 or 1, stays monotone, and keeps large blocks at their rate', () => {
    const cal = fitIsotonic(p, y);
    if (cal.method !== 'isotonic') throw new Error('isotonic expected');
    expect(calibrate(cal, 0)).toBeGreaterThan(0);
    expect(calibrate(cal, 1)).toBeLessThan(1);
    const grid = Array.from({ length: 101 }, (_, k) => calibrate(cal, k / 100));
    for (let k = 1; k < grid.length; k++) expect(grid[k]!).toBeGreaterThanOrEqual(grid[k - 1]!);
    // The lowest block: 300 rows without an exit, shrunk by one row's weight toward the overall rate.
    const rate = y.reduce<number>((a, b) => a + b, 0) / y.length;
    expect(cal.y[0]).toBeCloseTo(rate / 301, 12);
  });

  it('costs a finite log-loss on rows where an exit falls below every exit it was fitted on', () => {
    const cal = fitIsotonic(p, y);
    const held = [0.01, 0.02, 0.5, 0.99].map((v) => calibrate(cal, v));
    expect(logLoss(held, [1, 0, 0, 1])).toBeLessThan(3);
  });
});
