import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './cli.js';

/**
 * Compares `actual` with the golden file fixtures/expected/<name>. A mismatch writes
 * `<name>.changed.<ext>` beside it for review and fails. A missing golden file is created,
 * except on CI (`CI=true`), where it fails instead.
 */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(repoRoot, 'fixtures', 'expected', name);
  const ext = path.extname(file);
  const changed = `${file.slice(0, -ext.length)}.changed${ext}`;
  if (!existsSync(file)) {
    if (process.env['CI']) throw new Error(`golden file ${name} is missing (not created on CI)`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  const expected = readFileSync(file, 'utf8');
  if (expected !== actual) writeFileSync(changed, actual);
  expect(actual, `${name} differs from its golden file; see ${path.relative(repoRoot, changed)}`).toBe(expected);
}
