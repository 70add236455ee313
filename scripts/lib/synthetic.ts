// The synthetic problem the model benchmarks share (bench:forest, bench:boost): the same rows in
// every library's process, written as raw arrays.

/** Features per row. */
export const F = 40;

/** Deterministic synthetic problem: ~12 % positives, linear and interaction effects, noise. */
export function makeData(n: number, seed: number): { X: Float64Array; y: Uint8Array } {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const X = new Float64Array(n * F);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) X[i * F + f] = f % 5 === 4 ? Math.floor(rnd() * 6) : gauss();
    const x = (f: number) => X[i * F + f]!;
    const z = -2.6 + 0.9 * x(0) - 0.7 * x(1) + 0.5 * x(2) * x(3) + (x(4) >= 4 ? 0.8 : 0) + 0.4 * Math.abs(x(5)) + 0.3 * x(6) + gauss() * 0.9;
    y[i] = z > 0 ? 1 : 0;
  }
  return { X, y };
}

