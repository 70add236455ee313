import { ident, identList, literal } from '../db/sql.js';
import type { ColumnSpec, Contract } from './contracts/index.js';
import { containsIdentityCodeSql } from './identity-code.js';
import { addDays, plausibleDates } from '../core/dates.js';
import { sqlTypeOf } from './schema.js';

/** How one import is read: which source columns exist and how each contract column is made. */
export interface CheckPlan {
  contract: Contract;
  /** Column names as found in the source file. */
  sourceColumns: readonly string[];
  /** Contract column → VARCHAR SQL expression over source columns; absent = not in this file. */
  mapped: ReadonlyMap<string, string>;
  /** strptime formats for date / timestamp columns; undefined = canonical ISO. */
  dateFormat: string | undefined;
  timestampFormat: string | undefined;
  /** The formats as the coordinator wrote them, for messages. */
  dateFormatText?: string | undefined;
  timestampFormatText?: string | undefined;
  /** Profile predicate over source columns for rows to skip on purpose. */
  skipWhere: string | undefined;
  /** The load's date: dates far before or after it are implausible (see plausibleDates). */
  today?: string | undefined;
  /**
   * Contract columns whose value the reader already gives typed (see readerTypesFor), instead of
   * as text; a value the reader could not type fails the read.
   */
  readerTypes?: ReadonlyMap<string, ReaderType> | undefined;
}

/** The type a reader gives a column in: integers as DOUBLE, so that 3.5 is not rounded to 4. */
export type ReaderType = 'DOUBLE' | 'DATE';

/**
 * Contract columns the reader can type itself with the outcome of `typedExpr`: taken straight
 * from one source column (no value map, no derived expression, no `unknown`), integers and dates
 * in the canonical format. Keyed by contract column; `source` is the source column.
 */
export function readerTypesFor(plan: Pick<CheckPlan, 'contract' | 'sourceColumns' | 'mapped' | 'dateFormat'>): Map<string, { source: string; type: ReaderType }> {
  const out = new Map<string, { source: string; type: ReaderType }>();
  const uses = new Map<string, number>();
  for (const expr of plan.mapped.values()) uses.set(expr, (uses.get(expr) ?? 0) + 1);
  for (const c of plan.contract.columns) {
    const expr = plan.mapped.get(c.name);
    const source = plan.sourceColumns.find((s) => ident(s) === expr);
    if (expr === undefined || source === undefined || uses.get(expr) !== 1 || c.unknownAllowed) continue;
    if (c.type === 'integer') out.set(c.name, { source, type: 'DOUBLE' });
    if (c.type === 'date' && !plan.dateFormat) out.set(c.name, { source, type: 'DATE' });
  }
  return out;
}

/** One validation: `condition` is true when the row has this problem. */
interface Check {
  column: string;
  condition: string;
  value: string;
  reason: string;
}

const rawName = (col: string) => `__raw_${col}`;
const valueName = (col: string) => `__v_${col}`;
const isStringy = (c: ColumnSpec) => c.type === 'string';

function typeWords(c: ColumnSpec, plan: CheckPlan): string {
  switch (c.type) {
    case 'date':
      return plan.dateFormat ? `a date in the format ${plan.dateFormatText ?? plan.dateFormat}` : 'a date like 2025-08-11';
    case 'timestamp':
      return plan.timestampFormat ? `a time in the format ${plan.timestampFormatText ?? plan.timestampFormat}` : 'a date or time like 2025-08-11 or 2025-08-11 14:30:00';
    case 'integer':
      return 'a whole number';
    case 'decimal':
      return 'a number (decimal point or comma)';
    case 'boolean':
      return 'true or false';
    case 'string':
    case 'string_list':
      return 'text';
  }
}

/** Typed SQL for one column from its VARCHAR value `v`. Never rounds or guesses. */
export function typedExpr(c: ColumnSpec, v: string, plan: Pick<CheckPlan, 'dateFormat' | 'timestampFormat'>): string {
  // `unknown` in a typed column that allows it means no value (a source that does not hold it), like an empty cell.
  const k = c.unknownAllowed ? `CASE WHEN lower(trim(${v})) = 'unknown' THEN NULL ELSE ${v} END` : v;
  switch (c.type) {
    case 'string':
      return `nullif(trim(${v}), '')`;
    case 'date':
      return plan.dateFormat ? `try_strptime(trim(${k}), ${literal(plan.dateFormat)})::DATE` : `try_cast(${k} AS DATE)`;
    case 'timestamp':
      return plan.timestampFormat ? `try_strptime(trim(${k}), ${literal(plan.timestampFormat)})` : `try_cast(${k} AS TIMESTAMP)`;
    case 'integer':
      // DuckDB would round '3.5' (and '25e-1', '1e-3') to a whole number when casting text to
      // INTEGER: a value with a point or an exponent goes through DOUBLE, and only whole numbers pass.
      return `CASE WHEN NOT (contains(${k}, '.') OR contains(${k}, 'e') OR contains(${k}, 'E')) THEN try_cast(${k} AS INTEGER) WHEN try_cast(${k} AS DOUBLE) % 1 = 0 THEN try_cast(try_cast(${k} AS DOUBLE) AS INTEGER) END`;
    case 'decimal':
      return `try_cast(replace(${k}, ',', '.') AS DOUBLE)`;
    case 'boolean':
      return `CASE lower(trim(${k})) WHEN 'true' THEN true WHEN 'false' THEN false END`;
    case 'string_list':
      return `list_filter(regexp_split_to_array(trim(${v}), '\\s*[|,]\\s*'), x -> x <> '')`;
  }
}

function valuesList(values: readonly string[]): string {
  return values.map(literal).join(', ');
}

/**
 * Every check of the contract, as SQL over the checked table's typed and raw columns.
 * `references: false` leaves out the checks against other tables (run as one anti-join instead).
 */
export function contractChecks(plan: CheckPlan, opts: { references: boolean } = { references: true }): Check[] {
  const checks: Check[] = [];
  for (const c of plan.contract.columns) {
    const col = ident(c.name);
    const asText = `CAST(${col} AS VARCHAR)`;
    if (!isStringy(c)) {
      checks.push({ column: c.name, condition: `${ident(rawName(c.name))} IS NOT NULL`, value: ident(rawName(c.name)), reason: `expected ${typeWords(c, plan)}` });
    }
    if ((c.type === 'date' || c.type === 'timestamp') && plan.today) {
      // A date no school record can have (0001-01-01, 9999-12-31, 2099-01-05) is a typing or export error.
      const latest = addDays(plan.today, 365 * (c.planned ? plausibleDates.yearsAhead : 1));
      checks.push({
        column: c.name,
        condition: `${col} < DATE ${literal(plausibleDates.earliest)} OR ${col} > DATE ${literal(latest)}`,
        value: asText,
        reason: `expected a date from ${plausibleDates.earliest} to ${latest}`,
      });
    }
    if (c.required) {
      const missing = isStringy(c) ? `${col} IS NULL` : `${col} IS NULL AND ${ident(rawName(c.name))} IS NULL`;
      checks.push({ column: c.name, condition: missing, value: 'NULL', reason: 'missing value in a required column' });
    }
    if (c.values && c.type === 'string') {
      checks.push({ column: c.name, condition: `${col} NOT IN (${valuesList(c.values)})`, value: col, reason: `expected one of: ${c.values.join(', ')}` });
    }
    if (c.values && c.type === 'string_list') {
      checks.push({
        column: c.name,
        condition: `len(${col}) = 0 OR len(list_filter(${col}, x -> x NOT IN (${valuesList(c.values)}))) > 0`,
        value: `array_to_string(${col}, '|')`,
        reason: `expected one or more of: ${c.values.join(', ')}`,
      });
    }
    if (c.min !== undefined || c.max !== undefined) {
      const parts = [c.min !== undefined ? `${col} < ${c.min}` : null, c.max !== undefined ? `${col} > ${c.max}` : null].filter(Boolean);
      checks.push({ column: c.name, condition: parts.join(' OR '), value: asText, reason: `expected a value from ${c.min ?? '…'} to ${c.max ?? '…'}` });
    }
    if (c.maxLength !== undefined) {
      checks.push({ column: c.name, condition: `length(${col}) > ${c.maxLength}`, value: `left(${col}, 40)`, reason: `longer than ${c.maxLength} characters` });
    }
    if (c.pattern) {
      checks.push({ column: c.name, condition: `NOT regexp_full_match(${col}, ${literal(c.pattern.regex)})`, value: col, reason: `expected ${c.pattern.description}` });
    }
    if (c.references && opts.references) {
      checks.push({
        column: c.name,
        condition: `${col} NOT IN (SELECT ${ident(c.references.column)} FROM ${ident(c.references.kind)})`,
        value: col,
        reason: `unknown ${c.references.column}: not in ${c.references.kind} (load ${c.references.kind} first)`,
      });
    }
  }
  for (const rule of plan.contract.rules ?? []) {
    checks.push({ column: rule.column, condition: `NOT (${rule.predicate})`, value: `CAST(${ident(rule.column)} AS VARCHAR)`, reason: rule.reason });
  }
  return checks;
}

/**
 * One pass over the source: maps, types and checks every row, flags identity codes, rows to
 * skip and bad rows, and hashes the natural key. The result's rowid is the record's position
 * in the file, because DuckDB preserves insertion order.
 */
export function checkedTableSql(plan: CheckPlan, readerSql: string, table: string): string {
  return `CREATE TEMP TABLE ${ident(table)} AS ${checkedRowsSql(plan, readerSql)}`;
}

/**
 * Every row of the source mapped, typed and checked (the checked table's query): the typed
 * contract columns, the raw text of values that did not type, `__hetu_col`, `__skip`, `__bad`
 * (reference checks aside) and `__key_hash`.
 */
export function checkedRowsSql(plan: CheckPlan, readerSql: string): string {
  const { contract } = plan;
  const mappedCols = contract.columns.map((c) => `${plan.mapped.get(c.name) ?? 'NULL::VARCHAR'} AS ${ident(valueName(c.name))}`);
  // A value that parses as a date or number cannot hold an identity code; values that fail to
  // parse are scanned afterwards (identityCodesInRawSql). Here: text columns and unmapped columns.
  const scanned = identityScanColumns(plan);
  const hetu = scanned.length ? `CASE ${scanned.map(([label, expr]) => `WHEN ${containsIdentityCodeSql(expr)} THEN ${literal(label)}`).join(' ')} END` : 'NULL';
  const skip = plan.skipWhere ? `coalesce((${plan.skipWhere}), false)` : 'false';
  const typedCols = contract.columns.flatMap((c) => {
    const v = ident(valueName(c.name));
    const readerType = plan.readerTypes?.get(c.name);
    // Typed by the reader: an integer read as a number must be whole (and fit); a date is one.
    // Streaming, a reference (student_id …) is taken as it stands: the stored keys are trimmed and
    // never empty, so a value with spaces around it, or none, is not among them and the file
    // goes to the row-by-row load, which trims it (trimming ten million ids cost 0.3 s).
    const expr =
      readerType === 'DOUBLE' ? `CASE WHEN ${v} % 1 = 0 THEN try_cast(${v} AS INTEGER) END`
      : readerType === 'DATE' ? v
      : plan.readerTypes && c.references && c.type === 'string' ? `CAST(${v} AS VARCHAR)`
      : typedExpr(c, v, plan);
    const typed = `${expr} AS ${ident(c.name)}`;
    return isStringy(c) ? [typed] : [typed, v];
  });
  const rawCols = contract.columns
    .filter((c) => !isStringy(c))
    .map((c) => {
      const v = ident(valueName(c.name));
      const text = plan.readerTypes?.has(c.name) ? `CAST(${v} AS VARCHAR)` : v;
      const given = plan.readerTypes?.has(c.name) ? v : c.unknownAllowed ? `nullif(nullif(lower(trim(${v})), ''), 'unknown')` : `nullif(trim(${v}), '')`;
      return `CASE WHEN ${ident(c.name)} IS NULL AND ${given} IS NOT NULL THEN ${text} END AS ${ident(rawName(c.name))}`;
    });
  const bad = contractChecks(plan, { references: false })
    .map((k) => `coalesce(${k.condition}, false)`)
    .join('\n      OR ');
  return `
WITH src AS (${readerSql}),
mapped AS (
  SELECT ${mappedCols.join(', ')}, ${hetu} AS __hetu_col, ${skip} AS __skip FROM src
),
typed AS (
  SELECT ${typedCols.join(', ')}, __hetu_col, __skip FROM mapped
),
raw AS (
  SELECT ${identList(contract.columns.map((c) => c.name))}, ${rawCols.length ? rawCols.join(', ') + ',' : ''} __hetu_col, __skip FROM typed
)
SELECT *,
  (${bad || 'false'}) AS __bad,
  hash(${identList(contract.key)}) AS __key_hash
FROM raw`;
}

/** [column label, VARCHAR expression] pairs scanned for identity codes while checking rows. */
function identityScanColumns(plan: CheckPlan): [string, string][] {
  const out: [string, string][] = [];
  const usedSources = new Set<string>();
  for (const c of plan.contract.columns) {
    const expr = plan.mapped.get(c.name);
    if (expr === undefined) continue;
    const direct = plan.sourceColumns.find((s) => ident(s) === expr);
    if (direct !== undefined) usedSources.add(direct);
    if (c.type === 'string' || c.type === 'string_list' || direct === undefined) out.push([c.name, ident(valueName(c.name))]);
  }
  // Columns outside the contract are named by position: a header cell is never quoted.
  plan.sourceColumns.forEach((s, i) => {
    if (!usedSources.has(s)) out.push([`column ${i + 1} of the header`, `CAST(${ident(s)} AS VARCHAR)`]);
  });
  return out;
}

/** Rows whose unparseable values (kept raw for the quarantine) hold an identity code: (col, rec). */
export function identityCodesInRawSql(plan: CheckPlan, checked: string): string | undefined {
  const raws = plan.contract.columns.filter((c) => !isStringy(c));
  if (!raws.length) return undefined;
  const when = raws.map((c) => `WHEN ${containsIdentityCodeSql(ident(rawName(c.name)))} THEN ${literal(c.name)}`).join(' ');
  return `SELECT col, count(*) AS n, min(rec) AS first FROM (
    SELECT CASE ${when} END AS col, ${recOf(checked)} AS rec FROM ${ident(checked)} WHERE __bad
  ) WHERE col IS NOT NULL GROUP BY col ORDER BY first LIMIT 1`;
}

/** Marks rows bad whose reference (student_id, staff_id) is unknown: one anti-join per reference. */
export function markUnknownReferencesSql(plan: CheckPlan, checked: string): string[] {
  return plan.contract.columns
    .filter((c) => c.references)
    .map(
      (c) => `UPDATE ${ident(checked)} SET __bad = true
      WHERE NOT __bad AND ${ident(c.name)} IS NOT NULL
        AND ${ident(c.name)} NOT IN (SELECT ${ident(c.references!.column)} FROM ${ident(c.references!.kind)})`,
    );
}

/**
 * 0-based record number of a row of the checked table. Temp-table rowids start at a large
 * offset, but they follow insertion order, which DuckDB keeps equal to file order.
 */
export function recOf(table: string, alias?: string): string {
  return `(${alias ? alias + '.' : ''}rowid - (SELECT min(rowid) FROM ${ident(table)}))`;
}

/**
 * Records whose natural key appears more than once in the same file (all copies are rejected):
 * `rid` is the checked table's rowid, `rec` the record number, `grp` the shared key.
 */
export function duplicateKeysSql(contract: Contract, checked: string, out: string): string {
  const keys = identList(contract.key);
  return `
CREATE TEMP TABLE ${ident(out)} AS
WITH candidates AS (
  SELECT __key_hash FROM ${ident(checked)} GROUP BY __key_hash HAVING count(*) > 1
),
groups AS (
  SELECT ${keys}, list(rowid ORDER BY rowid) AS rids
  FROM ${ident(checked)}
  WHERE NOT __skip AND __key_hash IN (SELECT __key_hash FROM candidates)
  GROUP BY ${keys} HAVING count(*) > 1
)
SELECT rid, rid - (SELECT min(rowid) FROM ${ident(checked)}) AS rec, grp
FROM (SELECT unnest(rids) AS rid, row_number() OVER () AS grp FROM groups)`;
}

/** JSON text of the row as received (raw text where typing failed), for the quarantine. */
function rowJsonExpr(contract: Contract): string {
  const fields = contract.columns.map((c) => {
    const v = c.type === 'string' ? ident(c.name) : `coalesce(${ident(rawName(c.name))}, CAST(${ident(c.name)} AS VARCHAR))`;
    return `${literal(c.name)}: ${v}`;
  });
  return `CAST(to_json({${fields.join(', ')}}) AS VARCHAR)`;
}

/**
 * Quarantine records (rec, column_name, value, reason, row_json) for every problem of every
 * rejected record: contract checks on bad rows, and duplicate keys.
 */
export function problemsSql(plan: CheckPlan, checked: string, dups: string, lineOf: (rec: string) => string): string {
  const rowJson = rowJsonExpr(plan.contract);
  const keyNames = plan.contract.key.join(', ');
  const branches = contractChecks(plan).map(
    (k) => `SELECT ${recOf(checked)} AS rec, ${literal(k.column)} AS column_name, CAST(${k.value} AS VARCHAR) AS value, ${literal(k.reason)} AS reason, ${rowJson} AS row_json
     FROM ${ident(checked)} WHERE __bad AND NOT __skip AND coalesce(${k.condition}, false)`,
  );
  branches.push(
    `SELECT ${recOf(checked, 'c')} AS rec, ${literal(plan.contract.key[0] ?? '')} AS column_name, NULL AS value,
       'duplicate key (${keyNames}) within the file, on lines ' || d.lines AS reason, ${rowJson} AS row_json
     FROM ${ident(checked)} c
     JOIN (SELECT rid, string_agg(CAST(line AS VARCHAR), ', ' ORDER BY rec) OVER (PARTITION BY grp) AS lines
           FROM (SELECT rid, rec, grp, ${lineOf('rec')} AS line FROM ${ident(dups)})) d
       ON c.rowid = d.rid
     WHERE NOT c.__bad`,
  );
  return branches.join('\nUNION ALL\n');
}

/** The contract columns of good rows, typed, ready to insert (`dups` undefined: the file has none). */
export function goodRowsSql(contract: Contract, checked: string, dups: string | undefined): string {
  const notDup = dups ? ` AND rowid NOT IN (SELECT rid FROM ${ident(dups)})` : '';
  return `SELECT ${identList(contract.columns.map((c) => c.name))} FROM ${ident(checked)}
  WHERE NOT __bad AND NOT __skip${notDup}`;
}

/** Key match between the target table `t` and incoming rows `i` (NULL-safe: assignments keys may be empty). */
export function keyMatch(contract: Contract, t = 't', i = 'i'): string {
  return contract.key.map((k) => `${t}.${ident(k)} IS NOT DISTINCT FROM ${i}.${ident(k)}`).join(' AND ');
}

/** Column types of a contract, e.g. for an empty typed staging table. */
export function columnDefs(contract: Contract): string {
  return contract.columns.map((c) => `${ident(c.name)} ${sqlTypeOf(c.type)}`).join(', ');
}
