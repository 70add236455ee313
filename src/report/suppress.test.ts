import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { suppressShare, suppressTable } from './suppress.js';
import { suppressHierarchy, type HierarchyNode } from './hierarchy.js';

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

describe('suppression across a hierarchy of linked tables (provider → level 1 → level 2 → level 3)', () => {
  /** A random three-level hierarchy: each node has 1–4 children, each leaf two counts (dropped out, other). */
  const hierarchy = (smallOnlyAtLeaves: boolean) =>
    fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 4 }).chain((shape) => {
      const leaves = shape.flatMap(([a, b], i) => Array.from({ length: a * b }, (_, k) => `L3:${i}.${Math.floor(k / b)}.${k % b}`));
      const count = smallOnlyAtLeaves ? fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 20, max: 60 })) : fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 80 }));
      return fc.tuple(fc.constant(shape), fc.array(fc.tuple(count, count), { minLength: leaves.length, maxLength: leaves.length }));
    });

  /** The nodes of a hierarchy: leaves with their counts, every coarser node the sum of its children. */
  function nodesOf(shape: [number, number][], leafCounts: [number, number][]): HierarchyNode[] {
    const leaves: HierarchyNode[] = [];
    let k = 0;
    shape.forEach(([a, b], i) => {
      for (let x = 0; x < a; x++) for (let y = 0; y < b; y++) leaves.push({ id: `L3:${i}.${x}.${y}`, level: 3, counts: [...leafCounts[k++]!], parents: [{ parent: `L2:${i}.${x}`, breakdown: 'in_l2' }, { parent: 'L0', breakdown: 'l3' }] });
    });
    const sum = (ids: HierarchyNode[]) => [0, 1].map((j) => ids.reduce((s, n) => s + n.counts[j]!, 0));
    const l2 = shape.flatMap(([a], i) => Array.from({ length: a }, (_, x) => ({ id: `L2:${i}.${x}`, level: 2, counts: sum(leaves.filter((l) => l.id.startsWith(`L3:${i}.${x}.`))), parents: [{ parent: `L1:${i}`, breakdown: 'in_l1' }, { parent: 'L0', breakdown: 'l2' }] })));
    const l1 = shape.map((_, i) => ({ id: `L1:${i}`, level: 1, counts: sum(l2.filter((n) => n.id.startsWith(`L2:${i}.`))), parents: [{ parent: 'L0', breakdown: 'l1' }] }));
    return [{ id: 'L0', level: 0, counts: sum(l1), parents: [] }, ...l1, ...l2, ...leaves];
  }

  it('property: nothing 1–4 published, and no published total gives back a hidden cell, on any line of the hierarchy', () => {
    fc.assert(
      fc.property(hierarchy(false), ([shape, counts]) => {
        const r = suppressHierarchy(nodesOf(shape, counts), 5, [1]);
        const shown = new Map<string, number | null>();
        for (const [id, cells] of r.cells) cells.forEach((c, j) => shown.set(`${id}|${j}`, c));
        for (const [id, t] of r.totals) shown.set(`${id}|-1`, t);
        for (const v of shown.values()) if (v !== null) expect(v === 0 || v >= 5).toBe(true);
        for (const line of r.lines) {
          if (shown.get(line.total) === null) continue;
          expect(line.cells.filter((c) => shown.get(c) === null).length, `line to ${line.total}`).not.toBe(1);
        }
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('property: small counts only at the finest level, with siblings to absorb them, never hide a coarser figure', () => {
    fc.assert(
      fc.property(hierarchy(true), ([shape, counts]) => {
        const nodes = nodesOf(shape, counts);
        // Only hierarchies where every coarser figure is large and every finest line has 3+ cells.
        fc.pre(nodes.filter((n) => n.level < 3).every((n) => n.counts.every((c) => c === 0 || c >= 5)));
        fc.pre(shape.every(([, b]) => b >= 3));
        const r = suppressHierarchy(nodes, 5, [1]);
        for (const n of nodes.filter((x) => x.level < 3)) {
          expect(r.totals.get(n.id), `${n.id} total`).not.toBeNull();
          r.cells.get(n.id)!.forEach((c, j) => expect(c, `${n.id} column ${j}`).not.toBeNull());
        }
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it('keeps both education types visible when only a group inside one of them is small', () => {
    // Provider → two education types → two programmes each → three groups each; one group has 3 dropouts.
    const groups: [number, number][] = Array.from({ length: 12 }, (_, i) => (i === 4 ? [3, 27] : [10, 40]));
    const r = suppressHierarchy(nodesOf([[2, 3], [2, 3]], groups), 5, [1]);
    for (const id of ['L0', 'L1:0', 'L1:1', 'L2:0.0', 'L2:0.1', 'L2:1.0', 'L2:1.1']) expect(r.cells.get(id)![0], id).not.toBeNull();
    expect(r.cells.get('L3:0.1.1')![0]).toBeNull();
  });
});
