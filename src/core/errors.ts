/**
 * Expected problems carry a code, a message for the data coordinator, and a hint saying what to
 * do next. `cli/main.ts` maps each code to a documented exit code; anything else is a bug.
 */
export const ErrorCode = {
  /** Bad command-line usage (unknown option, bad date, missing argument). */
  Usage: 'USAGE',
  /** The YAML config or an import profile is invalid. */
  ConfigInvalid: 'CONFIG_INVALID',
  /** A whole input file cannot be used (missing column, identity code, binary, unreadable). */
  InputRefused: 'INPUT_REFUSED',
  /** Something the user named does not exist (kind, profile, student, version). */
  NotFound: 'NOT_FOUND',
  /** The warehouse has not been initialised, or its schema is newer than this kiinni. */
  WarehouseState: 'WAREHOUSE_STATE',
  /** Another kiinni command holds the writer lock. */
  Locked: 'LOCKED',
  /** The warehouse holds too little data for the job (e.g. too few exits to train a model). */
  InsufficientData: 'INSUFFICIENT_DATA',
  /** A DuckDB statement failed. */
  Database: 'DATABASE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Exit codes, one table; README.md documents the same numbers. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  InputRejected: 3,
  Locked: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const exitCodeByError: Record<ErrorCode, ExitCode> = {
  USAGE: ExitCode.Usage,
  CONFIG_INVALID: ExitCode.Usage,
  NOT_FOUND: ExitCode.Usage,
  WAREHOUSE_STATE: ExitCode.Usage,
  INPUT_REFUSED: ExitCode.InputRejected,
  LOCKED: ExitCode.Locked,
  INSUFFICIENT_DATA: ExitCode.InputRejected,
  DATABASE: ExitCode.Failure,
};

/** Base class for every expected failure in kiinni. */
export class KiinniError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KiinniError';
  }

  get exitCode(): ExitCode {
    return exitCodeByError[this.code];
  }
}

/** True for a KiinniError, optionally of one code. */
export function isKiinniError(err: unknown, code?: ErrorCode): err is KiinniError {
  return err instanceof KiinniError && (code === undefined || err.code === code);
}
