import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, runCliJson } from '../../testing/cli.js';
import { tempDir } from '../../testing/temp-dir.js';

describe('kiinni report build (real CLI)', () => {
  it('writes the report for the provider and for one unit', async () => {
    const data = tempDir();
    await runCli(['--data-dir', data, 'init']);
    expect((await runCli(['--data-dir', data, 'ingest', '--dir', path.join(repoRoot, 'fixtures', 'cohort')])).exitCode).toBe(0);
    const out = tempDir();
    const all = await runCliJson<{ tables: { name: string; rows: number }[]; files: string[] }>(['--data-dir', data, 'report', 'build', '--out', out, '--as-of', '2026-02-20', '--lang', 'en', '--bootstrap', '20']);
    expect(all.result.exitCode).toBe(0);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
    expect(all.json.files.filter((f) => f.endsWith('.parquet')).length).toBe(all.json.tables.length);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/<html lang="en">/);

    const unitOut = tempDir();
    const unit = await runCli(['--data-dir', data, 'report', 'build', '--out', unitOut, '--as-of', '2026-02-20', '--unit', 'Pasila', '--bootstrap', '20']);
    expect(unit.exitCode).toBe(0);
    const units = readFileSync(path.join(unitOut, 'yearly_by_unit.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[1]);
    expect(new Set(units)).toEqual(new Set(['Pasila']));

    const bad = await runCli(['--data-dir', data, 'report', 'build', '--out', unitOut, '--lang', 'de']);
    expect(bad.exitCode).toBe(2);
  });
});
