import { duckdb } from './duckdb.js';

const { quotedIdentifier, quotedString } = duckdb;

/** Quotes an identifier (column or table name) for DuckDB, e.g. `group` → `"group"`. */
export const ident = (name: string): string => quotedIdentifier(name);

/**
 * Quotes a literal that is *not* user data: a file path, an enum value from a contract, a date
 * format. Student data always goes in as bound parameters instead.
 */
export const literal = (value: string): string => quotedString(value);

/** `a, b, c` of quoted identifiers. */
export const identList = (names: readonly string[]): string => names.map(ident).join(', ');

/**
 * A list of texts bound as one statement parameter (a long literal IN list costs DuckDB more than
 * the lookup): `textList` is the value to bind, `textListSql` reads it back as rows. The texts must
 * not hold the separator (U+001F; ids, hashes and codes do not).
 */
export const textList = (values: readonly string[]): string => values.join('\u001f');
export const textListSql = (param: string): string => `unnest(string_split($${param}, chr(31)))`;
