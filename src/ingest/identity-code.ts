/**
 * Finnish personal identity code (henkilötunnus): DDMMYY, a century sign (+ for the 1800s;
 * - Y X W V U for the 1900s; A B C D E F for the 2000s, as of 2023), a three-digit individual
 * number and a check character (DDMMYYNNN mod 31 in 0123456789ABCDEFHJKLMNPRSTUVWXY).
 * kiinni never stores one: a file carrying one is refused whole.
 *
 * The shape is found anywhere in a text (no word boundaries: `ID131052-308T` and
 * `131052-308Tx` hold one), in either case (`131052-308t`), at every position (a candidate
 * that fails does not hide one overlapping it), and is counted only with a valid check
 * character, which keeps long numbers and codes of other shapes from being mistaken for one.
 */
const shape = '(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{2}[-+A-FU-Y][0-9]{3}[0-9A-FHJ-NPR-Y]';
const checkChars = '0123456789ABCDEFHJKLMNPRSTUVWXY';
const shapeAnywhere = new RegExp(shape, 'i');
const shapeExact = new RegExp(`^${shape}$`, 'i');

/** True when an 11-character candidate has the shape and its check character is right. */
function isIdentityCode(c: string): boolean {
  if (!shapeExact.test(c)) return false;
  return checkChars[Number(c.slice(0, 6) + c.slice(7, 10)) % 31] === c[10]!.toUpperCase();
}

/** The same test in JavaScript, for text read outside DuckDB (file names, headers, JSON keys). */
export function containsIdentityCode(text: string): boolean {
  if (text.length < 11 || !shapeAnywhere.test(text)) return false;
  for (let i = 0; i + 11 <= text.length; i++) if (isIdentityCode(text.slice(i, i + 11))) return true;
  return false;
}

/** A DuckDB predicate: true when the VARCHAR expression `expr` contains an identity code. */
export function containsIdentityCodeSql(expr: string): string {
  // Cheap filters first (length, the shape anywhere); the check at every position runs only for
  // the rare values that pass them.
  const candidate = `substr(${expr}, __i, 11)`;
  const check = `(regexp_full_match(${candidate}, '${shape}', 'i') AND coalesce(substr('${checkChars}', (TRY_CAST(substr(${candidate}, 1, 6) || substr(${candidate}, 8, 3) AS BIGINT) % 31)::INTEGER + 1, 1) = upper(substr(${candidate}, 11, 1)), false))`;
  return `(length(${expr}) >= 11 AND regexp_matches(${expr}, '${shape}', 'i') AND coalesce(list_bool_or([${check} FOR __i IN range(1, length(${expr}) - 9)]), false))`;
}
