import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { histogramKernel, kernelBuild, kernelMemory } from './boost-threads.js';
import { binColumn, binOf, fitCuts, MAX_VALUE_BINS, split3, type Split3 } from './binning.js';

/** The plain statement of the cuts: sorted values without NaN, a cut between each pair of distinct neighbours, else quantiles (a zero cut as +0). */
function referenceCuts(values: Float64Array, rng: Random, sampleSize = 200_000): number[] {
  let sample: number[];
  if (values.length <= sampleSize) sample = [...values].filter((v) => !Number.isNaN(v));
  else sample = Array.from({ length: sampleSize }, () => values[Math.floor(rng.next() * values.length)]!).filter((v) => !Number.isNaN(v));
  sample.sort((a, b) => a - b);
  const distinct = sample.filter((v, i) => i === 0 || v !== sample[i - 1]);
  if (distinct.length <= MAX_VALUE_BINS) return distinct.slice(1).map((v, i) => (distinct[i]! + v) / 2);
  const cuts: number[] = [];
  for (let q = 1; q < MAX_VALUE_BINS; q++) {
    const v = sample[Math.min(sample.length - 1, Math.floor((q * sample.length) / MAX_VALUE_BINS))]! + 0;
    if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
  }
  return cuts;
}

describe('quantile cuts', () => {
  it('are the plain statement\'s on continuous, few-valued, missing, signed-zero, ordered, tied and sampled columns, split in JavaScript or by the kernel', () => {
    const r = new Random(7, 0, 0);
    const mem = kernelMemory(6000, 1, 1, 1);
    const kernel = kernelBuild({ kernel: histogramKernel(), memory: mem.memory });
    const room = mem.ordered.subarray(0, 6000);
    const wasmSplit: Split3 = (a, lo, hi, p) => kernel.split(a.byteOffset, lo, hi, p);
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
      ['ascending', Float64Array.from({ length: 5000 }, (_, i) => i / 7)],
      ['descending', Float64Array.from({ length: 5000 }, (_, i) => -i / 7)],
      ['organ pipe', Float64Array.from({ length: 5000 }, (_, i) => Math.min(i, 5000 - i))],
      ['heavy ties and zeros', Float64Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? -0 : i % 400))],
      ['zero at the quantiles', Float64Array.from({ length: 5000 }, () => (r.next() < 0.4 ? (r.next() < 0.5 ? -0 : 0) : r.next() - 0.5))],
    ];
    for (const [name, values] of columns) {
      const sampleSize = name === 'sampled' ? 1000 : undefined;
      const expected = referenceCuts(values, new Random(1, 2, 3), sampleSize);
      expect([...fitCuts(values, new Random(1, 2, 3), sampleSize)], name).toEqual(expected);
      expect([...fitCuts(values, new Random(1, 2, 3), sampleSize, room, wasmSplit)], `${name}, kernel`).toEqual(expected);
    }
  });

  it('are split around a value into below, equal and above, signed zeros equal', () => {
    const r = new Random(9, 0, 0);
    const values = Float64Array.from({ length: 999 }, (_, i) => (i % 5 === 0 ? (i % 2 ? -0 : 0) : Math.round(r.next() * 20) - 10));
    const mem = kernelMemory(1000, 1, 1, 1);
    const kernel = kernelBuild({ kernel: histogramKernel(), memory: mem.memory });
    const inWasm = mem.ordered.subarray(0, 999);
    for (const p of [0, -3, 10, 11]) {
      for (const [name, a, split] of [['JavaScript', Float64Array.from(values), split3], ['kernel', inWasm, (x: Float64Array, lo: number, hi: number, q: number) => kernel.split(x.byteOffset, lo, hi, q)]] as const) {
        a.set(values);
        const [lt, eq] = split(a, 100, 900, p);
        const part = Array.from(a.subarray(100, 900));
        expect(part.slice(0, lt - 100).every((v) => v < p), name).toBe(true);
        expect(part.slice(lt - 100, eq - 100).every((v) => v === p), name).toBe(true);
        expect(part.slice(eq - 100).every((v) => v > p), name).toBe(true);
        // The same values, each zero with its sign (the typed sort puts −0 before 0).
        expect(Array.from(Float64Array.from(part).sort()), name).toEqual(Array.from(values.slice(100, 900).sort()));
        expect(Array.from(a.subarray(0, 100)).concat(Array.from(a.subarray(900))), name).toEqual(Array.from(values.subarray(0, 100)).concat(Array.from(values.subarray(900))));
      }
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
