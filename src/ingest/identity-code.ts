/**
 * Finnish personal identity code (henkilötunnus): DDMMYY, a century sign, a three-digit
 * individual number and a check character. kiinni never stores one: a file carrying one is
 * refused whole. The shape is matched (with a valid day and month) rather than the check
 * character, so that a mistyped code is refused too.
 */
export const identityCodeRegex = '(^|[^0-9A-Za-z])(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{2}[-+A-FU-Y][0-9]{3}[0-9A-FHJ-NPR-Y]([^0-9A-Za-z]|$)';

/** A DuckDB predicate: true when the VARCHAR expression `expr` contains an identity code. */
export function containsIdentityCodeSql(expr: string): string {
  // The length test skips the regular expression for the short values most columns hold.
  return `(length(${expr}) >= 11 AND regexp_matches(${expr}, '${identityCodeRegex}'))`;
}

/** The same test in JavaScript, for text read outside DuckDB (headers, file names). */
export function containsIdentityCode(text: string): boolean {
  return new RegExp(identityCodeRegex).test(text);
}
