/**
 * Small-cell suppression for leadership reports (DOMAIN.md: no figure about fewer than 5
 * students). Primary suppression hides every count from 1 to `minCell - 1`; secondary
 * suppression then hides more cells until no published total can give a hidden cell back: a
 * row or column whose total is published never has exactly one hidden cell.
 */

/** A table of counts with its row and column totals (published unless marked otherwise). */
export interface CountTable {
  counts: number[][];
  rowTotalsPublished?: boolean;
  colTotalsPublished?: boolean;
  /** Columns to hide first when a second cell must go (e.g. "still studying" before "negative exits"). */
  preferColumns?: number[];
}

/** The published table: null where a cell is suppressed, and why. */
export interface SuppressedTable {
  cells: (number | null)[][];
  reason: ('shown' | 'primary' | 'secondary')[][];
  rowTotals: (number | null)[];
  colTotals: (number | null)[];
  total: number | null;
}

/** True when a count may not be shown on its own: some, but fewer than `minCell`, students. */
export function isSmallCount(n: number, minCell: number): boolean {
  return n > 0 && n < minCell;
}

/**
 * Suppresses a two-way table of counts. Totals are themselves counts: a total under `minCell`
 * is suppressed too (and then protects nothing, so its line needs no secondary cell).
 */
export function suppressTable(table: CountTable, minCell = 5): SuppressedTable {
  const { counts } = table;
  const rows = counts.length;
  const cols = rows ? counts[0]!.length : 0;
  const reason = counts.map((r) => r.map((n) => (isSmallCount(n, minCell) ? 'primary' : 'shown') as 'shown' | 'primary' | 'secondary'));
  const rowTotal = counts.map((r) => r.reduce((s, n) => s + n, 0));
  const colTotal = Array.from({ length: cols }, (_, j) => counts.reduce((s, r) => s + r[j]!, 0));
  const rowPublished = rowTotal.map((t) => table.rowTotalsPublished !== false && !isSmallCount(t, minCell));
  const colPublished = colTotal.map((t) => table.colTotalsPublished !== false && !isSmallCount(t, minCell));

  /** Hides the smallest visible cell of a line (other than the hidden one), preferring cells that are not zero. */
  const hideAnother = (cells: [number, number][]): boolean => {
    const visible = cells.filter(([i, j]) => reason[i]![j] === 'shown');
    if (!visible.length) return false;
    const prefer = table.preferColumns ?? [];
    visible.sort(([a, b], [c, d]) => {
      const x = counts[a]![b]!;
      const y = counts[c]![d]!;
      return (prefer.includes(b) ? 0 : 1) - (prefer.includes(d) ? 0 : 1) || (x === 0 ? 1 : 0) - (y === 0 ? 1 : 0) || x - y || a - c || b - d;
    });
    const [i, j] = visible[0]!;
    reason[i]![j] = 'secondary';
    return true;
  };
  // Every row, then every column: its cells and the flag saying whether its total is published.
  const lines = [
    ...rowPublished.map((_, i) => ({ published: rowPublished, k: i, cells: Array.from({ length: cols }, (_, j) => [i, j] as [number, number]) })),
    ...colPublished.map((_, j) => ({ published: colPublished, k: j, cells: Array.from({ length: rows }, (_, i) => [i, j] as [number, number]) })),
  ];
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      if (!line.published[line.k]) continue;
      if (line.cells.filter(([a, b]) => reason[a]![b] !== 'shown').length === 1) {
        // Nothing left to hide beside it: the total itself would give the cell away.
        if (!hideAnother(line.cells)) line.published[line.k] = false;
        changed = true;
      }
    }
  }
  const total = rowTotal.reduce((s, n) => s + n, 0);
  // The grand total with all but one row (or column) total published would give that one back.
  const hiddenRows = rowPublished.filter((p) => !p).length;
  const hiddenCols = colPublished.filter((p) => !p).length;
  const totalShown = !isSmallCount(total, minCell) && hiddenRows !== 1 && hiddenCols !== 1;
  return {
    cells: counts.map((r, i) => r.map((n, j) => (reason[i]![j] === 'shown' ? n : null))),
    reason,
    rowTotals: rowTotal.map((t, i) => (rowPublished[i] ? t : null)),
    colTotals: colTotal.map((t, j) => (colPublished[j] ? t : null)),
    total: totalShown ? total : null,
  };
}

/**
 * A share (e.g. the annual negative-exit share) may be shown only when both the students it is
 * about and the students it is out of number at least `minCell` (or none left, for the numerator).
 */
export function suppressShare(numerator: number, denominator: number, minCell = 5): number | null {
  if (denominator < minCell || isSmallCount(numerator, minCell) || isSmallCount(denominator - numerator, minCell)) return null;
  return numerator / denominator;
}
