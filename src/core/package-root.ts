import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kiinni package root (holds models/, pipelines/, fixtures/), from src/ or dist/ alike. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('kiinni package root not found');
    dir = parent;
  }
  return dir;
}

/**
 * A script of kiinni's own (a worker thread's), compiled: `relative` to the caller's module
 * (`import.meta.url`), or, running from src/ in tests, the same file under dist/.
 */
export function compiledScript(relative: string, caller: string): URL {
  const here = new URL(relative, caller);
  if (existsSync(fileURLToPath(here))) return here;
  const fromRoot = path.relative(packageRoot(), fileURLToPath(here));
  return new URL(`file://${path.join(packageRoot(), 'dist', fromRoot)}`);
}

/**
 * Node's own options for a worker thread: the main thread's, less those that only mean something
 * for code given on the command line (`--input-type`, `--eval`/`-e`, `--print`/`-p` and their
 * values). A worker inherits them all by default, and a worker started with `--input-type` fails
 * before its first line (ERR_INPUT_TYPE_NOT_ALLOWED), e.g. when kiinni's library is used from
 * `node --input-type=module -e …`.
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^--input-type=/.test(a) || /^--(eval|print)=/.test(a)) continue;
    if (a === '--input-type' || a === '-e' || a === '--eval' || a === '-p' || a === '--print' || a === '-pe') {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}
