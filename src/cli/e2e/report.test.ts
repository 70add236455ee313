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
    // A CSV and a Parquet file per table, and the data dictionary that explains their columns in fi, sv and en.
    expect(all.json.files.filter((f) => f.endsWith('.parquet')).length).toBe(all.json.tables.length + 1);
    const dictionary = readFileSync(path.join(out, 'data_dictionary.csv'), 'utf8');
    expect(dictionary.split('\n')[0]).toBe('file,column,kind,fi,sv,en');
    for (const t of all.json.tables) expect(dictionary, t.name).toContain(`${t.name}.csv,`);
    expect(dictionary).toContain('yearly_by_unit.csv,negative_exit_share,share 0–1,Keskeyttäneiden osuus,Andel som avbrutit,"Dropped out, share"');
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/<html lang="en">/);
    for (const lang of ['fi', 'sv', 'en']) expect(readFileSync(path.join(out, `report.${lang}.html`), 'utf8')).toMatch(new RegExp(`<html lang="${lang}">`));

    const unitOut = tempDir();
    const unit = await runCli(['--data-dir', data, 'report', 'build', '--out', unitOut, '--as-of', '2026-02-20', '--unit', 'Pasila', '--bootstrap', '20']);
    expect(unit.exitCode).toBe(0);
    const units = readFileSync(path.join(unitOut, 'yearly_by_unit.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[1]);
    expect(new Set(units)).toEqual(new Set(['Pasila']));

    const bad = await runCli(['--data-dir', data, 'report', 'build', '--out', unitOut, '--lang', 'de']);
    expect(bad.exitCode).toBe(2);
  });
});
