import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kiinniBin, repoRoot, runCli } from '../../testing/cli.js';
import { tempDir } from '../../testing/temp-dir.js';

/** The CLI under a pseudo-terminal (util-linux `script`): what a person at a terminal sees, stdout and stderr together. */
function atTerminal(args: readonly string[]): Promise<{ exitCode: number | null; out: string }> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, kiinniBin, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, TERM: 'xterm', COLUMNS: '160', KIINNI_LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve({ exitCode, out }));
  });
}

/** Progress lines as drawn: "<label> <bar> <done>/<total> <unit> | <elapsed> | ~<estimate> left". */
const frames = (out: string, label: string, unit: string) => [...out.matchAll(new RegExp(`${label} \\S+ (\\d+)/(\\d+) ${unit} \\| \\S+ \\| ~\\S+ left`, 'g'))].map((m) => [Number(m[1]), Number(m[2])]);

describe('progress on a terminal (real CLI under a pseudo-terminal)', () => {
  it('model train counts trees and digest send counts staff, with elapsed time and an estimate; --json and a pipe show none', async () => {
    const data = tempDir();
    const cohort = path.join(repoRoot, 'fixtures', 'cohort');
    await runCli(['--data-dir', data, 'init']);
    expect((await runCli(['--data-dir', data, 'ingest', '--dir', cohort])).exitCode).toBe(0);

    const train = await atTerminal(['--data-dir', data, 'model', 'train']);
    expect(train.exitCode, train.out).toBe(0);
    const trees = frames(train.out, 'training', 'trees');
    expect(trees.length).toBeGreaterThan(0);
    expect(trees.every(([done, total]) => done! <= total! && total! > 1)).toBe(true);
    expect(train.out).toMatch(/Trained model/);

    expect((await runCli(['--data-dir', data, 'triggers', 'run', '--as-of', '2026-02-16'])).exitCode).toBe(0);
    const sent = await atTerminal(['--data-dir', data, 'digest', 'send', '--as-of', '2026-02-16']);
    expect(sent.exitCode, sent.out).toBe(0);
    expect(frames(sent.out, 'digests', 'staff').length).toBeGreaterThan(0);

    // --json at a terminal: the JSON document and nothing else.
    const json = await atTerminal(['--data-dir', data, '--json', 'digest', 'send', '--as-of', '2026-02-16']);
    expect(json.exitCode, json.out).toBe(0);
    expect(json.out).not.toMatch(/ staff \|/);
    expect(JSON.parse(json.out.replace(/\r/g, ''))).toMatchObject({ as_of: '2026-02-16' });
    // Not a terminal: no progress either.
    const piped = await runCli(['--data-dir', data, 'report', 'build', '--out', path.join(data, 'r')]);
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).not.toMatch(/ parts \|/);
    const report = await atTerminal(['--data-dir', data, 'report', 'build', '--out', path.join(data, 'r2')]);
    expect(report.exitCode, report.out).toBe(0);
    expect(frames(report.out, 'report', 'parts').length).toBeGreaterThan(0);
  }, 180_000);
});
