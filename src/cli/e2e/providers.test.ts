import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../../testing/cli.js';
import { tempDir } from '../../testing/temp-dir.js';

const cohort = path.join(repoRoot, 'fixtures', 'cohort');
const kinds = ['staff', 'students', 'assignments', 'study_right_events', 'course_progress', 'attendance', 'wellbeing', 'interventions'];

/** A provider's data directory with the bundled cohort in its inbox; `domain` replaces its staff's e-mail domain. */
async function provider(domain: string): Promise<string> {
  const data = tempDir();
  expect((await runCli(['--data-dir', data, 'init'])).exitCode).toBe(0);
  for (const kind of kinds) {
    mkdirSync(path.join(data, 'inbox', kind), { recursive: true });
    const text = readFileSync(path.join(cohort, `${kind}.csv`), 'utf8');
    writeFileSync(path.join(data, 'inbox', kind, `${kind}.csv`), kind === 'staff' ? text.replace(/@[A-Za-z0-9.-]+\.[a-z]+/g, `@${domain}`) : text);
  }
  return data;
}

/** Every recipient address in a data directory's outbox. */
function recipients(data: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith('.eml')) out.push(...[...readFileSync(p, 'utf8').matchAll(/^To: .*<([^>]+)>/gm)].map((m) => m[1]!));
    }
  };
  walk(path.join(data, 'outbox'));
  return out;
}

describe('many providers on one machine (real CLI)', () => {
  it('two providers\' nights run at the same time, each in its own data directory, sharing nothing', async () => {
    const [a, b] = [await provider('provider-a.example'), await provider('provider-b.example')];
    // One scratch directory as TMPDIR and HOME for both: it must stay empty (nothing kept outside the data directories).
    const shared = tempDir();
    const env = { TMPDIR: shared, HOME: shared, XDG_CACHE_HOME: shared };
    const [ra, rb] = await Promise.all([runCli(['--data-dir', a, 'run', 'nightly', '--as-of', '2026-02-16'], { env }), runCli(['--data-dir', b, 'run', 'nightly', '--as-of', '2026-02-16'], { env })]);
    expect(ra.exitCode, ra.stderr).toBe(0);
    expect(rb.exitCode, rb.stderr).toBe(0);
    // Each provider's digests went to its own staff only.
    const [toA, toB] = [recipients(a), recipients(b)];
    expect(toA.length).toBeGreaterThan(0);
    expect(toB.length).toBe(toA.length);
    expect(toA.every((x) => x.endsWith('@provider-a.example')), 'provider A mailed someone else').toBe(true);
    expect(toB.every((x) => x.endsWith('@provider-b.example')), 'provider B mailed someone else').toBe(true);
    // Each has its own warehouse, run log and report; nothing was left in the shared scratch directory.
    for (const d of [a, b]) {
      expect(readdirSync(d)).toEqual(expect.arrayContaining(['kiinni.duckdb', 'reports', 'outbox', 'logs']));
      expect(readdirSync(path.join(d, 'reports'))).toEqual(['2026-02-16']);
    }
    expect(readdirSync(shared)).toEqual([]);
  }, 180_000);
});
