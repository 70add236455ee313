import { quotedIdentifier, quotedString } from '@duckdb/node-api';

/** Quotes an identifier (column or table name) for DuckDB, e.g. `group` → `"group"`. */
export const ident = (name: string): string => quotedIdentifier(name);

/**
 * Quotes a literal that is *not* user data: a file path, an enum value from a contract, a date
 * format. Student data always goes in as bound parameters instead.
 */
export const literal = (value: string): string => quotedString(value);

/** `a, b, c` of quoted identifiers. */
export const identList = (names: readonly string[]): string => names.map(ident).join(', ');
