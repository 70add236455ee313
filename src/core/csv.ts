/** A number as text: left as it is by the formula rule ("-5", "+3.2" are values, not formulas). */
const numberText = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/;
/** What a spreadsheet may run as a formula at the start of a cell (OWASP, CSV injection). */
const formulaStart = /^[=+\-@\t\r]/;

/**
 * A text cell a spreadsheet would read as a formula (it starts with = + - @, a tab or a CR and
 * is not a number) gets a leading apostrophe, so opening the file in Excel or LibreOffice runs
 * nothing (the OWASP rule). Every CSV kiinni writes for people goes through this.
 */
export function neutraliseFormula(v: string): string {
  return formulaStart.test(v) && !numberText.test(v) ? `'${v}` : v;
}

/** CSV text of one field (RFC 4180): empty for null, formulas neutralised, quoted only when it must be. */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (typeof v !== 'string') return csvFieldAsIs(v);
  const safe = neutraliseFormula(v);
  // Also quoted: a tab, a semicolon (a Finnish spreadsheet's separator) or edge spaces, so a person's sheet shows the value whole.
  return /[\t;]/.test(safe) || safe !== safe.trim() ? quoted(safe) : csvFieldAsIs(safe);
}

const quoted = (v: string) => `"${v.replaceAll('"', '""')}"`;

/**
 * CSV text of one field exactly as given (RFC 4180 quoting only): for the generator, whose files
 * stand for a register's own export and must carry its values unchanged.
 */
export function csvFieldAsIs(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  return /[",\n\r]/.test(v) ? quoted(v) : v;
}

/** The same neutralising in DuckDB SQL, for CSV written with COPY: `expr` is a VARCHAR expression. */
export function neutraliseFormulaSql(expr: string): string {
  return `CASE WHEN regexp_matches(${expr}, '^[=+\\-@\\t\\r]') AND NOT regexp_full_match(${expr}, '[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?') THEN '''' || ${expr} ELSE ${expr} END`;
}
