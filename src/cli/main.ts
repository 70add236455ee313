import { CommanderError } from 'commander';
import { diskError, ExitCode, isKiinniError } from '../core/errors.js';
import { buildProgram } from './program.js';

/**
 * The one place errors become output and exit codes (README.md, "Exit codes"). Expected
 * problems print their message and hint; anything else is a bug.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const state = { exitCode: ExitCode.Ok as number, debug: argv.includes('--debug') };
  // With --json a failure is a JSON document on stdout too, so `run nightly --json > night.json`
  // never leaves an empty file on exactly the bad nights (README "JSON output").
  const json = argv.includes('--json');
  const jsonError = (code: string, message: string, hint?: string) => {
    if (json) process.stdout.write(JSON.stringify({ error: { code, message, hint: hint ?? null } }, null, 2) + '\n');
  };
  const program = buildProgram(state);
  try {
    await program.parseAsync([...argv]);
    return state.exitCode;
  } catch (caught) {
    // A full or read-only disk anywhere (lock, outbox, logs) is the machine's problem, not a bug.
    const err = diskError(caught);
    if (err instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      if (err.exitCode === 0) return ExitCode.Ok;
      jsonError('USAGE', err.message.replace(/^error: /, ''), "Run 'kiinni --help' or 'kiinni <command> --help'.");
      return ExitCode.Usage;
    }
    if (isKiinniError(err)) {
      process.stderr.write(`kiinni: ${err.message}\n`);
      if (err.hint) process.stderr.write(`  ${err.hint}\n`);
      if (state.debug && err.cause) process.stderr.write(`${formatCause(err.cause)}\n`);
      jsonError(err.code, err.message, err.hint);
      return err.exitCode;
    }
    jsonError('INTERNAL', 'unexpected error: this is a bug, please report it (run again with --debug to see the stack trace).');
    process.stderr.write(`kiinni: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.stderr.write('  This is a bug, please report it' + (state.debug ? '.\n' : ' (run again with --debug to see the stack trace).\n'));
    if (state.debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return ExitCode.Failure;
  }
}

function formatCause(cause: unknown): string {
  if (cause instanceof Error) {
    const sql = (cause as Error & { sql?: string }).sql;
    return `${cause.stack ?? cause.message}${sql ? `\n  SQL: ${sql}` : ''}`;
  }
  return String(cause);
}
