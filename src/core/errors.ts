import { dirname } from 'node:path';

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
  /** The warehouse file is damaged (a checksum or format error): restore it from a backup. */
  WarehouseCorrupt: 'WAREHOUSE_CORRUPT',
  /** The disk said no: full, read-only, no permission, or an input/output error. */
  Io: 'IO',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Exit codes, one table; README.md documents the same numbers. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  InputRejected: 3,
  Locked: 4,
  /** Finished without doing all it should: too little data, a step skipped, too many rows quarantined. */
  Incomplete: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const exitCodeByError: Record<ErrorCode, ExitCode> = {
  USAGE: ExitCode.Usage,
  CONFIG_INVALID: ExitCode.Usage,
  NOT_FOUND: ExitCode.Usage,
  WAREHOUSE_STATE: ExitCode.Usage,
  INPUT_REFUSED: ExitCode.InputRejected,
  LOCKED: ExitCode.Locked,
  INSUFFICIENT_DATA: ExitCode.Incomplete,
  DATABASE: ExitCode.Failure,
  WAREHOUSE_CORRUPT: ExitCode.Failure,
  IO: ExitCode.Failure,
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

const diskWords: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the disk is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'an input/output error on the disk',
};

/**
 * A Node file-system error as an IO KiinniError that names the disk problem and the folder
 * (never a file's contents); anything else is returned as it was.
 */
export function diskError(err: unknown, where?: string): unknown {
  const e = err as NodeJS.ErrnoException;
  const words = e && typeof e.code === 'string' ? diskWords[e.code] : undefined;
  if (!words) return err;
  const place = where ?? (e.path ? dirname(e.path) : undefined);
  return new KiinniError(
    ErrorCode.Io,
    `Cannot write${place ? ` in ${place}` : ''}: ${words}.`,
    e.code === 'ENOSPC' || e.code === 'EDQUOT' ? "Free space on that disk (old logs, archive/, backups/), then run the same command again: nothing half-done was kept." : 'Check the folder\'s permissions and the disk, then run the same command again.',
    { cause: err },
  );
}
