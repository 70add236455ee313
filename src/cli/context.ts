import { loadConfig, type Config } from '../core/config.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { createLogger, logLevels, type LogLevel, type Logger } from '../core/log.js';
import type { Progress } from '../core/progress.js';
import { terminalProgress } from './progress.js';

/** Global options every command accepts. */
export interface GlobalOptions {
  dataDir?: string;
  config?: string;
  json?: boolean;
  logLevel?: string;
  debug?: boolean;
}

/** What a command needs from the outside world, built once from the global options. */
export interface CliContext {
  dataDir: string;
  config: Config;
  logger: Logger;
  json: boolean;
  clock: () => Date;
  /** Writes a result: the JSON document with --json, else the human text. */
  print(result: unknown, human: () => string): void;
  /** How far a long step has come, drawn on a terminal (nothing with --json or without one). */
  progress: Progress;
}

/** Builds the context: config validated, logger to stderr. */
export function createContext(opts: GlobalOptions): CliContext {
  const level = (opts.logLevel ?? process.env['KIINNI_LOG_LEVEL'] ?? (opts.debug ? 'debug' : 'warn')) as LogLevel;
  if (!(logLevels as readonly string[]).includes(level)) {
    throw new KiinniError(ErrorCode.Usage, `--log-level: expected one of ${logLevels.join(', ')}.`);
  }
  const config = loadConfig(opts.config ?? process.env['KIINNI_CONFIG']);
  const json = Boolean(opts.json);
  return {
    dataDir: opts.dataDir ?? process.env['KIINNI_DATA_DIR'] ?? './data',
    config,
    logger: createLogger(level),
    json,
    clock: () => new Date(),
    progress: terminalProgress(json),
    print(result, human) {
      process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : human() + '\n');
    },
  };
}
