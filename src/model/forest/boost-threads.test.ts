import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { histogramKernel, kernelBuild, kernelMemory } from './boost-threads.js';
import { BINS, histogramAt, STRIDE } from './histogram.js';

describe('the histogram kernel', () => {
  it("adds each row's gradient, hessian and one to its bin of every feature asked for, through a run of features or a list", () => {
    const n = 500;
    const F = 7;
    const mem = kernelMemory(n, F, 2, 2);
    const build = kernelBuild({ kernel: histogramKernel(), memory: mem.memory });
    const rng = new Random(11);
    for (let i = 0; i < n * F; i++) mem.bins[i] = Math.floor(rng.next() * BINS);
    for (let i = 0; i < n; i++) {
      mem.g[i] = rng.next() - 0.5;
      mem.h[i] = rng.next() / 4;
      mem.rows[i] = n - 1 - i;
    }
    // What feature f's histogram must hold for rows[start, end), computed plainly.
    const expected = (start: number, end: number, f: number) => {
      const out = new Float64Array(BINS * STRIDE);
      for (let k = start; k < end; k++) {
        const i = mem.rows[k]!;
        const b = mem.bins[i * F + f]! * STRIDE;
        out[b]! += mem.g[i]!;
        out[b + 1]! += mem.h[i]!;
        out[b + 2]! += 1;
      }
      return Array.from(out);
    };
    const got = (slot: number, f: number) => Array.from(mem.hist.subarray(histogramAt(F, slot, f), histogramAt(F, slot, f) + BINS * STRIDE));
    const slotBytes = (slot: number) => mem.hist.byteOffset + histogramAt(F, slot, 0) * 8;
    // A run: features 2…5 of slot 1, rows 40…460 (an odd count: the kernel takes rows in pairs).
    build(mem.rows.byteOffset, 40, 461, mem.bins.byteOffset, F, mem.g.byteOffset, mem.h.byteOffset, slotBytes(1), 0, 0, 2, 6);
    for (const f of [2, 3, 4, 5]) expect(got(1, f)).toEqual(expected(40, 461, f));
    for (const f of [0, 1, 6]) expect(got(1, f).every((v) => v === 0)).toBe(true);
    // A list: features 0 and 6 of slot 0, every row (the list in the second thread's place).
    mem.features.set([0, 6], F);
    build(mem.rows.byteOffset, 0, n, mem.bins.byteOffset, F, mem.g.byteOffset, mem.h.byteOffset, slotBytes(0), mem.features.byteOffset + F * 4, 2, 0, 0);
    for (const f of [0, 6]) expect(got(0, f)).toEqual(expected(0, n, f));
    for (const f of [1, 2, 3, 4, 5]) expect(got(0, f).every((v) => v === 0)).toBe(true);
  });

  it('refuses a fit larger than its 4 GiB memory, saying so', () => {
    expect(() => kernelMemory(60_000_000, 80, 32, 2)).toThrow(/more than the 4 GiB/);
  });
});
