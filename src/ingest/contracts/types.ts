/** The data families kiinni ingests, named as in DOMAIN.md. */
export const contractKinds = [
  'staff',
  'students',
  'assignments',
  'study_right_events',
  'course_progress',
  'attendance',
  'wellbeing',
  'interventions',
] as const;
export type ContractKind = (typeof contractKinds)[number];

/** Column value types, as a coordinator would describe them. */
export type ColumnType = 'string' | 'date' | 'timestamp' | 'integer' | 'decimal' | 'boolean' | 'string_list';

/**
 * Sensitivity class of a column. `welfare` is student-welfare data (opiskeluhuolto, Student
 * Welfare Act 1287/2013; GDPR special category): visible to welfare roles only.
 */
export type Sensitivity = 'ordinary' | 'welfare';

/** One column of a contract: the single declaration used for validation, DDL and docs. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  required: boolean;
  description: string;
  sensitivity: Sensitivity;
  /** Allowed values (for string and string_list columns). */
  values?: readonly string[];
  /** Inclusive numeric range (integer, decimal) or year range. */
  min?: number;
  max?: number;
  /** Longest allowed text (string columns). */
  maxLength?: number;
  /** A DuckDB regular expression the whole value must match, with words for the error message. */
  pattern?: { regex: string; description: string };
  /** The value may be `unknown` (a typed background field no national register holds): read as empty. */
  unknownAllowed?: boolean;
  /** A date of a plan (planned end, assignment end): plausible up to ten years ahead, not one. */
  planned?: boolean;
  /** The value must exist in another contract's key column. */
  references?: { kind: 'students' | 'staff'; column: 'student_id' | 'staff_id' };
}

/** A rule over several columns of one row, written as a DuckDB predicate over typed columns. */
export interface RowRule {
  /** Column the quarantine record names. */
  column: string;
  /** True when the row is valid. NULLs should make it true (missing values are checked elsewhere). */
  predicate: string;
  reason: string;
}

/** A canonical data contract for one kind of export. */
export interface Contract {
  kind: ContractKind;
  title: string;
  description: string;
  columns: readonly ColumnSpec[];
  /** Natural key: a new row with the same key replaces the old one (upsert). */
  key: readonly string[];
  /** When true, an empty or `unknown` value in a new row keeps the value already stored. */
  keepKnown?: boolean;
  /** When set, a row only replaces an existing one that is not newer by this column. */
  versionColumn?: string;
  rules?: readonly RowRule[];
}
