import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { spawnSync } from 'node:child_process';
import { compiledScript } from '../../core/package-root.js';
import { boostData, defaultBoostOptions } from './boost.js';
import { BoostThreads, histogramKernel, kernelBuild, kernelMemory } from './boost-threads.js';
import { BINS, histogramAt, STRIDE } from './histogram.js';

describe('the histogram kernel', () => {
  it("adds each row's gradient, hessian and one to its bin of every feature asked for (two at a time, and an odd one), and sums the rows' gradients and hessians in row order", () => {
    const n = 500;
    const F = 7;
    const mem = kernelMemory(n, F, 2, 2);
    const { build, subtract } = kernelBuild({ kernel: histogramKernel(), memory: mem.memory });
    const rng = new Random(11);
    for (let i = 0; i < n * F; i++) mem.byFeature[i] = Math.floor(rng.next() * BINS);
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
        const b = mem.byFeature[f * n + i]! * STRIDE;
        out[b]! += mem.g[i]!;
        out[b + 1]! += mem.h[i]!;
        out[b + 2]! += 1;
      }
      return Array.from(out);
    };
    // The rows' sums, added in row order as one loop would.
    const sumsOf = (start: number, end: number) => {
      let G = 0;
      let H = 0;
      for (let k = start; k < end; k++) {
        G += mem.g[mem.rows[k]!]!;
        H += mem.h[mem.rows[k]!]!;
      }
      return [G, H];
    };
    const got = (slot: number, f: number) => Array.from(mem.hist.subarray(histogramAt(F, slot, f), histogramAt(F, slot, f) + BINS * STRIDE));
    const slotBytes = (slot: number) => mem.hist.byteOffset + histogramAt(F, slot, 0) * 8;
    // Features 2…5 of slot 1, rows 40…460, in the second thread's places.
    mem.features.set([2, 3, 4, 5], F);
    const second = mem.ordered.byteOffset + 2 * n * 8;
    build(mem.rows.byteOffset, 40, 461, mem.byFeature.byteOffset, n, mem.g.byteOffset, mem.h.byteOffset, second, slotBytes(1), mem.features.byteOffset + F * 4, 4, mem.sums.byteOffset + 16);
    for (const f of [2, 3, 4, 5]) expect(got(1, f)).toEqual(expected(40, 461, f));
    expect(Array.from(mem.sums.subarray(2, 4))).toEqual(sumsOf(40, 461));
    for (const f of [0, 1, 6]) expect(got(1, f).every((v) => v === 0)).toBe(true);
    // Features 0, 2 and 6 of slot 0 (a pair and one alone), every row, in the first thread's places.
    mem.features.set([0, 2, 6]);
    build(mem.rows.byteOffset, 0, n, mem.byFeature.byteOffset, n, mem.g.byteOffset, mem.h.byteOffset, mem.ordered.byteOffset, slotBytes(0), mem.features.byteOffset, 3, mem.sums.byteOffset);
    for (const f of [0, 2, 6]) expect(got(0, f)).toEqual(expected(0, n, f));
    for (const f of [1, 3, 4, 5]) expect(got(0, f).every((v) => v === 0)).toBe(true);
    expect(Array.from(mem.sums.subarray(0, 2))).toEqual(sumsOf(0, n));
    // Subtraction: feature 2's histogram of slot 1 (rows 40…460) taken from slot 0's (every row), every double.
    const before = got(0, 2);
    const taken = got(1, 2);
    subtract(mem.hist.byteOffset + histogramAt(F, 0, 2) * 8, mem.hist.byteOffset + histogramAt(F, 1, 2) * 8, BINS * STRIDE);
    expect(got(0, 2)).toEqual(before.map((v, k) => v - taken[k]!));
    expect(got(1, 2)).toEqual(taken);
    expect(got(0, 3).every((v) => v === 0)).toBe(true);
  });

  it("computes the logistic loss's gradients and hessians as JavaScript does, its e^x being Math.exp's bit for bit", () => {
    const n = 4000;
    const mem = kernelMemory(n, 1, 1, 1);
    const kernel = kernelBuild({ kernel: histogramKernel(), memory: mem.memory });
    const exp = (new WebAssembly.Instance(histogramKernel(), { env: { memory: mem.memory } }).exports['exp'] as (x: number) => number);
    const rng = new Random(12);
    const edges = [0, -0, 1, -1, 0.5, 1e-30, -1e-30, 0.34657359027997264, 1.0397207708399179, 709.7, 709.8, -708, -745.1, -745.2, 800, -800, Infinity, -Infinity];
    for (const x of edges) expect(Object.is(exp(x), Math.exp(x)), String(x)).toBe(true);
    for (let k = 0; k < 200_000; k++) {
      const x = (rng.next() - 0.5) * [2, 80, 1500][k % 3]!;
      if (!Object.is(exp(x), Math.exp(x))) expect(exp(x), String(x)).toBe(Math.exp(x));
    }
    for (let i = 0; i < n; i++) {
      mem.raw[i] = i < edges.length ? edges[i]! : (rng.next() - 0.5) * 30;
      mem.y[i] = rng.next() < 0.3 ? 1 : 0;
      mem.rows[i] = n - 1 - i;
    }
    kernel.gradients(mem.rows.byteOffset, 10, n, mem.raw.byteOffset, mem.y.byteOffset, mem.g.byteOffset, mem.h.byteOffset);
    for (let k = 0; k < n; k++) {
      const i = mem.rows[k]!;
      const p = 1 / (1 + Math.exp(-mem.raw[i]!));
      // Rows before `from` are not touched.
      expect([mem.g[i], mem.h[i]]).toEqual(k < 10 ? [0, 0] : [p - mem.y[i]!, Math.max(p * (1 - p), 1e-16)]);
    }
  });

  it('refuses a fit larger than its 4 GiB memory, saying so', () => {
    expect(() => kernelMemory(60_000_000, 80, 32, 2)).toThrow(/more than the 4 GiB/);
  });
});

describe("boosting's helper threads", () => {
  // A helper whose own copy of the job words is broken: its part of the first job throws.
  const boostThreadsUrl = compiledScript('./boost-threads.js', import.meta.url).href;
  const helper = (body: string) => new URL(`data:text/javascript,${encodeURIComponent(`import { workerData } from 'node:worker_threads'; import { helperLoop } from '${boostThreadsUrl}'; ${body}`)}`);

  it("fail the fit at once with the helper's reason when a helper's part of a job throws", () => {
    const threads = new BoostThreads(boostData(1000, 3, [false, false, false], 0, defaultBoostOptions, 2), 1, helper('helperLoop({ ...workerData, data: { ...workerData.data, job: null } });'));
    const t0 = performance.now();
    try {
      expect(() => threads.gradients(1000)).toThrow(/a boosting helper thread failed: Cannot read properties of null/);
      expect(performance.now() - t0).toBeLessThan(10_000);
    } finally {
      threads.close();
    }
  });

  it('fail the fit, saying so, when a helper never starts', () => {
    const threads = new BoostThreads(boostData(1000, 3, [false, false, false], 0, defaultBoostOptions, 2), 1, helper("throw new Error('no start');"), 1500);
    try {
      expect(() => threads.gradients(1000)).toThrow(/a boosting helper thread did not start within 1.5 s/);
    } finally {
      threads.close();
    }
  });

  it('start and train from code given to node on its command line (whose options a worker would inherit)', () => {
    const boost = compiledScript('./boost.js', import.meta.url).href;
    const code = `import { trainBoosting } from '${boost}';
      const n = 5000; const cols = [0, 1, 2].map((j) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * (j + 1))));
      const y = Uint8Array.from({ length: n }, (_, i) => (cols[0][i] + cols[1][i] > 0.3 ? 1 : 0));
      const b = trainBoosting(cols, y, { maxIter: 5, patience: 0, threads: 2 });
      console.log(b.trees.length);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('5');
  });
});
