import { isSmallCount } from './suppress.js';

/**
 * Small-cell suppression across a whole hierarchy of linked tables (provider → education type →
 * programme → group, provider → unit → group, …), not table by table: a group's count sums with
 * its siblings to the programme's, which the report also publishes, so a hidden group next to a
 * published programme total could be worked out unless another group beside it is hidden too.
 *
 * Every figure is a cell: a node (the provider, an education type, a unit, …) × a column (its
 * row total and its counts). Lines are the sums the published tables let anyone form:
 *   - a node's counts sum to its row total;
 *   - for each column, the children of a node in one breakdown sum to the node's cell.
 * Primary suppression hides every count from 1 to minCell − 1. Then, while a line whose total is
 * shown has exactly one hidden cell, one more cell of that line is hidden — a sibling at the same
 * (finer) level first, a preferred column first (e.g. "other", which is never printed), the
 * smallest next — and only when no sibling is left is the total itself hidden. So suppression is
 * absorbed at the finest level that can absorb it, and a coarser figure (an education type, the
 * provider) is hidden only when its own count is small or nothing finer can protect a hidden cell.
 * A cell that is not printed (like "other") is still treated as known when it can be worked out:
 * it protects nothing unless it is hidden here.
 */
export interface HierarchyNode {
  id: string;
  /** 0 for the root (the provider); larger is finer. */
  level: number;
  /** The node's counts, one per column (e.g. dropped out, graduated, other). */
  counts: number[];
  /** Breakdowns this node is a child in: its parent and the breakdown's name (e.g. `unit`, `programme_in_type`). */
  parents: { parent: string; breakdown: string }[];
}

export interface HierarchyResult {
  /** Per node: its counts, null where hidden. */
  cells: Map<string, (number | null)[]>;
  /** Per node: its row total, null where hidden. */
  totals: Map<string, number | null>;
  /** Every line with its cell keys and the key of its total, for checking (`node|column`, column -1 = the row total). */
  lines: { cells: string[]; total: string }[];
}

const key = (node: string, column: number) => `${node}|${column}`;

export function suppressHierarchy(nodes: readonly HierarchyNode[], minCell: number, preferColumns: readonly number[] = []): HierarchyResult {
  // Cells by index: node i, column j (j = -1 is the row total) → i * width + j + 1.
  const columns = nodes[0]?.counts.length ?? 0;
  const width = columns + 1;
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const cellCount = nodes.length * width;
  const value = new Float64Array(cellCount);
  const level = new Int32Array(cellCount);
  nodes.forEach((n, i) => {
    value[i * width] = n.counts.reduce((s, c) => s + c, 0);
    n.counts.forEach((c, j) => (value[i * width + j + 1] = c));
    level.fill(n.level, i * width, (i + 1) * width);
  });
  const columnOf = (cell: number) => (cell % width) - 1;

  // Lines: a node's counts to its row total; a breakdown's children to their parent, per column.
  const lineCells: number[][] = [];
  const lineTotal: number[] = [];
  nodes.forEach((n, i) => {
    lineCells.push(n.counts.map((_, j) => i * width + j + 1));
    lineTotal.push(i * width);
  });
  const children = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    for (const p of n.parents) {
      if (!index.has(p.parent)) continue;
      const k = `${p.parent}|${p.breakdown}`;
      const list = children.get(k) ?? [];
      list.push(i);
      children.set(k, list);
    }
  });
  for (const [k, kids] of children) {
    const parent = index.get(k.slice(0, k.lastIndexOf('|')))!;
    for (let j = -1; j < columns; j++) {
      lineCells.push(kids.map((c) => c * width + j + 1));
      lineTotal.push(parent * width + j + 1);
    }
  }
  // Which lines each cell is in, and how many hidden cells each line holds (kept as cells are hidden).
  const linesOf: number[][] = Array.from({ length: cellCount }, () => []);
  lineCells.forEach((cells, l) => cells.forEach((c) => linesOf[c]!.push(l)));
  const hidden = new Uint8Array(cellCount);
  const hiddenIn = new Int32Array(lineCells.length);
  const queue: number[] = [];
  const hide = (cell: number) => {
    if (hidden[cell]) return;
    hidden[cell] = 1;
    for (const l of linesOf[cell]!) {
      hiddenIn[l] = hiddenIn[l]! + 1;
      if (hiddenIn[l] === 1) queue.push(l);
    }
  };
  for (let c = 0; c < cellCount; c++) if (isSmallCount(value[c]!, minCell)) hide(c);
  for (let l = 0; l < lineCells.length; l++) if (hiddenIn[l] === 1) queue.push(l);

  /** The next cell to hide in a line: finest level, preferred column, non-zero, smallest, first. */
  const pick = (cells: readonly number[]): number | undefined => {
    let best: number | undefined;
    const rank = (c: number) => [-level[c]!, preferColumns.includes(columnOf(c)) ? 0 : 1, value[c] === 0 ? 1 : 0, value[c]!, c];
    for (const c of cells) {
      if (hidden[c]) continue;
      if (best === undefined) best = c;
      else {
        const [x, y] = [rank(c), rank(best)];
        for (let k = 0; k < x.length; k++) {
          if (x[k]! !== y[k]!) {
            if (x[k]! < y[k]!) best = c;
            break;
          }
        }
      }
    }
    return best;
  };
  // A line whose total is shown with exactly one hidden cell would give it back: hide a sibling,
  // or with none left, the total. Hiding changes other lines' counts, which join the queue.
  while (queue.length) {
    const l = queue.pop()!;
    if (hidden[lineTotal[l]!] || hiddenIn[l] !== 1) continue;
    const next = pick(lineCells[l]!);
    // With no sibling left, the total goes (it is a cell of other lines too, which hide() queues).
    hide(next ?? lineTotal[l]!);
  }
  const shown = (cell: number) => (hidden[cell] ? null : value[cell]!);
  const name = (cell: number) => key(nodes[Math.floor(cell / width)]!.id, columnOf(cell));
  return {
    cells: new Map(nodes.map((n, i) => [n.id, n.counts.map((_, j) => shown(i * width + j + 1))])),
    totals: new Map(nodes.map((n, i) => [n.id, shown(i * width)])),
    lines: lineCells.map((cells, l) => ({ cells: cells.map(name), total: name(lineTotal[l]!) })),
  };
}
