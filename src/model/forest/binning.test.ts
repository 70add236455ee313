import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { fitCuts, MAX_VALUE_BINS } from './binning.js';

/** The plain statement of the cuts: sorted values without NaN, a cut between each pair of distinct neighbours, else quantiles. */
function referenceCuts(values: Float64Array, rng: Random, sampleSize = 200_000): number[] {
  let sample: number[];
  if (values.length <= sampleSize) sample = [...values].filter((v) => !Number.isNaN(v));
  else sample = Array.from({ length: sampleSize }, () => values[Math.floor(rng.next() * values.length)]!).filter((v) => !Number.isNaN(v));
  sample.sort((a, b) => a - b);
  const distinct = sample.filter((v, i) => i === 0 || v !== sample[i - 1]);
  if (distinct.length <= MAX_VALUE_BINS) return distinct.slice(1).map((v, i) => (distinct[i]! + v) / 2);
  const cuts: number[] = [];
  for (let q = 1; q < MAX_VALUE_BINS; q++) {
    const v = sample[Math.min(sample.length - 1, Math.floor((q * sample.length) / MAX_VALUE_BINS))]!;
    if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
  }
  return cuts;
}

describe('quantile cuts', () => {
  it('are the plain statement\'s on continuous, few-valued, missing, signed-zero and sampled columns', () => {
    const r = new Random(7, 0, 0);
    const columns: [string, Float64Array][] = [
      ['continuous', Float64Array.from({ length: 5000 }, () => r.next() * 100 - 50)],
      ['few values', Float64Array.from({ length: 5000 }, () => Math.floor(r.next() * 30))],
      ['exactly 255 values', Float64Array.from({ length: 5000 }, (_, i) => i % 255)],
      ['256 values', Float64Array.from({ length: 5000 }, (_, i) => i % 256)],
      ['missing', Float64Array.from({ length: 5000 }, () => (r.next() < 0.3 ? NaN : Math.round(r.next() * 1000) / 10))],
      ['all missing', new Float64Array(100).fill(NaN)],
      ['signed zeros', Float64Array.from({ length: 1000 }, () => (r.next() < 0.5 ? -0 : 0))],
      ['one value', new Float64Array(100).fill(3)],
      ['sampled', Float64Array.from({ length: 3000 }, () => r.next())],
    ];
    for (const [name, values] of columns) {
      const sampleSize = name === 'sampled' ? 1000 : undefined;
      expect([...fitCuts(values, new Random(1, 2, 3), sampleSize)], name).toEqual(referenceCuts(values, new Random(1, 2, 3), sampleSize));
    }
  });
});
