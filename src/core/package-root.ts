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
