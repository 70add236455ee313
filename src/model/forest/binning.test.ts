import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { binColumn, binOf, fitCuts, MAX_VALUE_BINS, sortDoubles } from './binning.js';

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

describe('binning a column', () => {
  it('gives every value the bin of the one-value search: cuts from none to the most, values on, between and beyond them', () => {
    const r = new Random(8, 0, 0);
    const many = Float64Array.from({ length: MAX_VALUE_BINS - 1 }, (_, i) => i * 0.5 - 20);
    for (const cuts of [new Float64Array(0), Float64Array.of(1), Float64Array.of(-0.5, 0, 0.5), many]) {
      const values = Float64Array.from([
        ...Array.from({ length: 2000 }, () => r.next() * 140 - 30),
        ...cuts,
        ...Array.from(cuts, (c) => c + 1e-9),
        NaN, -Infinity, Infinity, 0, -0, -1e308, 1e308,
      ]);
      const out = new Uint8Array(values.length * 3);
      binColumn(values, cuts, out, 1, 3);
      expect(Array.from(values, (_, i) => out[1 + i * 3])).toEqual(Array.from(values, (v) => binOf(v, cuts)));
    }
  });
});

describe('sorting doubles by their bits', () => {
  it('orders as the built-in sort: negatives, signed zeros, infinities, tiny and huge values, ties, few distinct values', () => {
    const r = new Random(9, 0, 0);
    const special = [0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 0.1, -0.1];
    const sets: [string, number[]][] = [
      ['mixed', Array.from({ length: 5000 }, (_, i) => (i % 10 === 0 ? special[i % special.length]! : (r.next() - 0.5) * 10 ** Math.floor(r.next() * 40 - 20)))],
      ['integers', Array.from({ length: 3000 }, () => Math.floor(r.next() * 7) - 3)],
      ['one value', new Array<number>(1000).fill(2.5)],
      ['small', [3, -0, 0, -1]],
    ];
    for (const [name, values] of sets) {
      const ours = sortDoubles(Float64Array.from(values));
      const builtIn = Float64Array.from(values).sort();
      // Object.is tells -0 from 0.
      expect(Array.from(ours).every((v, i) => Object.is(v, builtIn[i])), name).toBe(true);
    }
  });
});
