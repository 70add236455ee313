import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

/** The logger every stage takes in its effects: a pino logger (or a child of one). */
export type Logger = PinoLogger;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = LevelWithSilent;

/**
 * Keys that must never reach a log line. Code never logs student attributes in the first place;
 * this redaction is the second line of defence (STYLE.md §9).
 */
const redactedPaths = [
  'student_id', '*.student_id', 'name', '*.name', 'email', '*.email', 'value', '*.value',
  'row', '*.row', 'row_json', '*.row_json', 'given_name', '*.given_name', 'family_name', '*.family_name',
];

/** Structured JSON logs to stderr (stdout is for results). */
export function createLogger(level: LogLevel = 'info', destination: number | string = 2): Logger {
  return pino(
    { level, base: { app: 'kiinni' }, redact: { paths: redactedPaths, censor: '[redacted]' } },
    pino.destination({ dest: destination, sync: true, mkdir: typeof destination === 'string' }),
  );
}

/**
 * A pipeline run's logger: JSON lines to stderr at `level` and, at info and above, to the run's
 * own log file (one per run, under <data-dir>/logs/).
 */
export function createRunLogger(level: LogLevel, file: string): Logger {
  const streams = pino.multistream([
    { level: level === 'silent' ? 'fatal' : level, stream: pino.destination({ dest: 2, sync: true }) },
    { level: 'info', stream: pino.destination({ dest: file, sync: true, mkdir: true }) },
  ]);
  return pino({ level: level === 'silent' || level === 'fatal' || level === 'error' || level === 'warn' ? 'info' : level, base: { app: 'kiinni' }, redact: { paths: redactedPaths, censor: '[redacted]' } }, streams);
}

/** A logger that writes nothing: the default in tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
