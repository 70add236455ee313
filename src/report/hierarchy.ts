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
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const value = new Map<string, number>();
  const level = new Map<string, number>();
  const hidden = new Set<string>();
  for (const n of nodes) {
    const total = n.counts.reduce((s, c) => s + c, 0);
    value.set(key(n.id, -1), total);
    level.set(key(n.id, -1), n.level);
    n.counts.forEach((c, j) => {
      value.set(key(n.id, j), c);
      level.set(key(n.id, j), n.level);
    });
  }
  for (const [k, v] of value) if (isSmallCount(v, minCell)) hidden.add(k);

  const columns = nodes[0]?.counts.length ?? 0;
  const lines: { cells: string[]; total: string }[] = [];
  for (const n of nodes) lines.push({ cells: n.counts.map((_, j) => key(n.id, j)), total: key(n.id, -1) });
  const children = new Map<string, string[]>();
  for (const n of nodes) {
    for (const p of n.parents) {
      if (!byId.has(p.parent)) continue;
      const k = `${p.parent}|${p.breakdown}`;
      children.set(k, [...(children.get(k) ?? []), n.id]);
    }
  }
  for (const [k, kids] of children) {
    const parent = k.slice(0, k.lastIndexOf('|'));
    for (let j = -1; j < columns; j++) lines.push({ cells: kids.map((c) => key(c, j)), total: key(parent, j) });
  }

  /** The next cell to hide in a line: finest level, preferred column, non-zero, smallest. */
  const pick = (cells: string[]): string | undefined => {
    const visible = cells.filter((c) => !hidden.has(c));
    const col = (c: string) => Number(c.slice(c.lastIndexOf('|') + 1));
    visible.sort(
      (a, b) =>
        level.get(b)! - level.get(a)! ||
        (preferColumns.includes(col(a)) ? 0 : 1) - (preferColumns.includes(col(b)) ? 0 : 1) ||
        (value.get(a) === 0 ? 1 : 0) - (value.get(b) === 0 ? 1 : 0) ||
        value.get(a)! - value.get(b)! ||
        (a < b ? -1 : 1),
    );
    return visible[0];
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      if (hidden.has(line.total)) continue;
      if (line.cells.filter((c) => hidden.has(c)).length !== 1) continue;
      // A sibling first; with none left, the total would give the cell away: hide it instead.
      hidden.add(pick(line.cells) ?? line.total);
      changed = true;
    }
  }
  const shown = (k: string) => (hidden.has(k) ? null : value.get(k)!);
  return {
    cells: new Map(nodes.map((n) => [n.id, n.counts.map((_, j) => shown(key(n.id, j)))])),
    totals: new Map(nodes.map((n) => [n.id, shown(key(n.id, -1))])),
    lines,
  };
}
