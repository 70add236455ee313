import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { suppressShare, suppressTable } from './suppress.js';

describe('small-cell suppression', () => {
  it('hides counts of 1–4 and a second cell wherever a published total would give one back', () => {
    // Units × outcome: Pasila has 3 resigned; Vallila 12 resigned.
    const t = suppressTable({ counts: [[3, 40, 7], [12, 55, 9]] });
    expect(t.reason).toEqual([
      ['primary', 'shown', 'secondary'],
      ['secondary', 'shown', 'secondary'],
    ]);
    expect(t.cells).toEqual([[null, 40, null], [null, 55, null]]);
    expect(t.rowTotals).toEqual([50, 76]);
    expect(t.colTotals).toEqual([15, 95, 16]);
  });

  it('hides a total when nothing else beside a hidden cell could protect it', () => {
    // One column: the 2 needs a second hidden cell (the 30), whose row total would then give it away.
    const t = suppressTable({ counts: [[2], [30]] });
    expect(t.cells).toEqual([[null], [null]]);
    expect(t.rowTotals).toEqual([null, null]);
    expect(t.colTotals).toEqual([32]);
    expect(t.total).toBe(32);
  });

  it('shares: hidden when the count, its complement or the group is under 5', () => {
    expect(suppressShare(3, 60)).toBeNull();
    expect(suppressShare(57, 60)).toBeNull();
    expect(suppressShare(6, 4)).toBeNull();
    expect(suppressShare(0, 40)).toBe(0);
    expect(suppressShare(6, 60)).toBeCloseTo(0.1);
  });

  it('property: no published figure is about 1–4 students, and no published total reveals a hidden cell', () => {
    const table = fc.integer({ min: 1, max: 5 }).chain((cols) => fc.array(fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 200 })), { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 6 }));
    fc.assert(
      fc.property(table, (counts) => {
        const t = suppressTable({ counts });
        const shown = [...t.cells.flat(), ...t.rowTotals, ...t.colTotals, t.total].filter((x): x is number => x !== null);
        for (const n of shown) expect(n === 0 || n >= 5).toBe(true);
        // A line with a published total has 0 or at least 2 hidden cells.
        t.cells.forEach((row, i) => {
          if (t.rowTotals[i] !== null) expect(row.filter((c) => c === null).length).not.toBe(1);
        });
        t.colTotals.forEach((total, j) => {
          if (total !== null) expect(t.cells.filter((row) => row[j] === null).length).not.toBe(1);
        });
        // The grand total with one hidden row (or column) total would give it back.
        if (t.total !== null) {
          expect(t.rowTotals.filter((x) => x === null).length).not.toBe(1);
          expect(t.colTotals.filter((x) => x === null).length).not.toBe(1);
        }
      }),
      { numRuns: 500, seed: 8 },
    );
  });
});

describe('secondary suppression preferences', () => {
  it('hides a preferred column first', () => {
    // Negative exits 30, graduated 60, transferred 3, still studying 400.
    const t = suppressTable({ counts: [[30, 60, 3, 400]], preferColumns: [3] });
    expect(t.cells).toEqual([[30, 60, null, null]]);
    expect(t.rowTotals).toEqual([493]);
  });
});
