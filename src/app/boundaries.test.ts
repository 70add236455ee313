import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../testing/cli.js';

/** The import-boundary check (npm run lint, run by .ci/run) passes on the tree and fails on a planted break. */
const depcruise = (targets: string) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), ...targets.split(' '), '--config', '.dependency-cruiser.cjs'], { cwd: repoRoot, encoding: 'utf8' });

describe('import boundaries', () => {
  it('the source tree keeps them: stages through their index, no cycles, no stage reaching the CLI or the front door', () => {
    const r = depcruise('src scripts');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }, 60_000);

  it('a deep import across stages, and a stage importing the front door, are each refused', () => {
    const probe = path.join(repoRoot, 'src', 'checkins', `lint-probe-${process.pid}.ts`);
    try {
      writeFileSync(probe, "import { studentFactsSql } from '../triggers/facts.js';\nimport { withWarehouse } from '../app/index.js';\nexport const probe = [studentFactsSql, withWarehouse];\n");
      const r = depcruise(path.relative(repoRoot, probe));
      expect(r.status).not.toBe(0);
      expect(r.stdout).toMatch(/stage-through-its-index/);
      expect(r.stdout).toMatch(/front-door-below-cli-only/);
    } finally {
      rmSync(probe, { force: true });
    }
  }, 60_000);

  it('a script reaching into a stage instead of its public surface is refused', () => {
    const probe = path.join(repoRoot, 'scripts', `lint-probe-${process.pid}.ts`);
    try {
      writeFileSync(probe, "import { trainForest } from '../src/model/forest/forest.js';\nexport const probe = trainForest;\n");
      const r = depcruise(path.relative(repoRoot, probe));
      expect(r.status).not.toBe(0);
      expect(r.stdout).toMatch(/scripts-use-public-surfaces/);
    } finally {
      rmSync(probe, { force: true });
    }
  }, 60_000);
});
