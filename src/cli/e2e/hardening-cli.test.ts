import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Warehouse } from '../../db/warehouse.js';
import { kiinniBin, repoRoot, runCli, runCliJson } from '../../testing/cli.js';
import { tempDir } from '../../testing/temp-dir.js';

/** The coordinator's side of issue #16: exit codes, refusals and silent no-ops over the real CLI. */

const cohort = path.join(repoRoot, 'fixtures', 'cohort');
const kinds = ['staff', 'students', 'assignments', 'study_right_events', 'course_progress', 'attendance', 'wellbeing', 'interventions'];
const attendanceHeader = 'student_id,date,lessons_scheduled,absent_excused,absent_unexcused,late';

async function initialised(): Promise<string> {
  const data = tempDir();
  expect((await runCli(['--data-dir', data, 'init'])).exitCode).toBe(0);
  return data;
}

describe('kiinni hardening (real CLI)', () => {
  it('#16.8 a damaged warehouse is not "locked": exit 1 with how to restore, and backup restore brings it back', async () => {
    const data = await initialised();
    const backup = await runCliJson<{ file: string }>(['--data-dir', data, 'backup']);
    expect(backup.result.exitCode).toBe(0);
    expect(existsSync(backup.json.file)).toBe(true);
    const file = path.join(data, 'kiinni.duckdb');
    const bytes = readFileSync(file);
    bytes.fill(0xff, 20_000, 20_500);
    writeFileSync(file, bytes);
    const broken = await runCli(['--data-dir', data, 'status']);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toMatch(/damaged/);
    expect(broken.stderr).toMatch(/backup restore/);
    expect(broken.stderr).not.toMatch(/in use|bug/);
    const restored = await runCli(['--data-dir', data, 'backup', 'restore', path.basename(backup.json.file)]);
    expect(restored.exitCode).toBe(0);
    expect((await runCli(['--data-dir', data, 'status'])).exitCode).toBe(0);
    expect(readdirSync(data).some((f) => f.startsWith('kiinni.duckdb.replaced-'))).toBe(true);
  });

  it('#16.12 a night before the last one, or on a date that does not exist, is a usage error', async () => {
    const data = await initialised();
    expect((await runCli(['--data-dir', data, 'ingest', '--dir', cohort])).exitCode).toBe(0);
    expect((await runCli(['--data-dir', data, 'triggers', 'run', '--as-of', '2026-02-18'])).exitCode).toBe(0);
    for (const asOf of ['2026-02-16', '1970-01-01']) {
      const r = await runCli(['--data-dir', data, 'run', 'nightly', '--as-of', asOf]);
      expect(r.exitCode, asOf).toBe(2);
      expect(r.stderr).toMatch(/before the last night run \(2026-02-18\)/);
    }
    const impossible = await runCli(['--data-dir', data, 'run', 'nightly', '--as-of', '2026-02-31']);
    expect(impossible.exitCode).toBe(2);
    expect(impossible.stderr).toMatch(/--as-of: expected a calendar date/);
    const runs = await runCliJson<{ runs: unknown[] }>(['--data-dir', data, 'runs']);
    expect(runs.json.runs).toEqual([]);
  });

  it('#16.13 #16.19 the inbox keeps every refused file, follows no links, and names what it does not load (exit 3)', async () => {
    const data = await initialised();
    for (const kind of kinds) {
      mkdirSync(path.join(data, 'inbox', kind), { recursive: true });
      cpSync(path.join(cohort, `${kind}.csv`), path.join(data, 'inbox', kind, `${kind}.csv`));
    }
    const outside = tempDir({ 'elsewhere.csv': `${attendanceHeader}\nS0000001,2026-02-09,30,0,0,0\n` });
    writeFileSync(path.join(data, 'inbox', 'attendance', 'extra.csv'), 'no,such,columns\n1,2,3\n');
    symlinkSync(path.join(outside, 'elsewhere.csv'), path.join(data, 'inbox', 'attendance', 'linked.csv'));
    writeFileSync(path.join(data, 'inbox', 'attendance.csv'), `${attendanceHeader}\n`);
    mkdirSync(path.join(data, 'inbox', 'attendence'));
    writeFileSync(path.join(data, 'inbox', 'attendence', 'a.csv'), `${attendanceHeader}\n`);
    const first = await runCliJson<{ steps: { step: string; summary: { ignored: string[]; refused: number } }[] }>(['--data-dir', data, 'run', 'nightly', '--as-of', '2026-02-16']);
    expect(first.result.exitCode).toBe(3);
    const inbox = first.json.steps.find((s) => s.step === 'ingest')!.summary;
    expect(inbox.refused).toBe(1);
    expect(inbox.ignored.join('\n')).toMatch(/^attendance\.csv \(in the inbox itself/m);
    expect(inbox.ignored.join('\n')).toMatch(/^attendence\/ \(not a data kind/m);
    expect(inbox.ignored.join('\n')).toMatch(/^attendance\/linked\.csv \(a symbolic link/m);
    // The link was not followed: nothing of the outside file was read.
    const db = await Warehouse.open(path.join(data, 'kiinni.duckdb'), { readOnly: true });
    try {
      expect((await db.all(`SELECT file_name FROM ingest_log WHERE file_name LIKE '%linked%' OR file_name LIKE '%elsewhere%'`)).length).toBe(0);
    } finally {
      db.close();
    }
    // The next night refuses a file of the same name again: both are kept.
    writeFileSync(path.join(data, 'inbox', 'attendance', 'extra.csv'), 'other,bad,header\n4,5,6\n');
    const second = await runCli(['--data-dir', data, 'run', 'nightly', '--as-of', '2026-02-17']);
    expect(second.exitCode).toBe(3);
    const failed = readdirSync(path.join(data, 'inbox', '_failed', 'attendance')).filter((f) => !f.endsWith('.reason.txt'));
    expect(failed).toHaveLength(2);
    expect(failed.every((f) => f.endsWith('-extra.csv'))).toBe(true);
  }, 180_000);

  it('#16.18 #16.21 nothing done is never "done": an empty warehouse records no trigger run, and --json failures are JSON', async () => {
    const data = await initialised();
    const triggers = await runCliJson<{ error: { code: string; message: string; hint: string } }>(['--data-dir', data, 'triggers', 'run']);
    expect(triggers.result.exitCode).toBe(5);
    expect(triggers.json.error.code).toBe('INSUFFICIENT_DATA');
    const db = await Warehouse.open(path.join(data, 'kiinni.duckdb'), { readOnly: true });
    try {
      expect(Number((await db.one(`SELECT count(*) AS n FROM trigger_runs`))!['n'])).toBe(0);
    } finally {
      db.close();
    }
    const train = await runCliJson<{ error: { code: string } }>(['--data-dir', data, 'model', 'train']);
    expect(train.result.exitCode).toBe(5);
    expect(train.json.error.code).toBe('INSUFFICIENT_DATA');
    const usage = await runCliJson<{ error: { code: string; message: string } }>(['--data-dir', data, 'run', 'nightly', '--as-of', '2026-02-31']);
    expect(usage.result.exitCode).toBe(2);
    expect(usage.json.error).toMatchObject({ code: 'USAGE' });
    const unknown = await runCliJson<{ error: { code: string } }>(['--data-dir', data, 'no-such-command']);
    expect(unknown.result.exitCode).toBe(2);
    expect(unknown.json.error.code).toBe('USAGE');
  });

  it('#16.15 a full disk is named, exits 1 and leaves no lock file behind', () => {
    // A small tmpfs in a private mount namespace (unshare -rm works as root and in user namespaces).
    const dir = tempDir();
    const script = `set -e
mount -t tmpfs -o size=8m tmpfs "${dir}"
"${process.execPath}" "${kiinniBin}" --data-dir "${dir}/data" init >/dev/null
dd if=/dev/zero of="${dir}/filler" bs=64k 2>/dev/null || true
printf 'staff_id,name,email,language,roles\\nH1,Anna,anna@example.fi,fi,teacher\\n' > "${dir}/staff.csv" 2>/dev/null || true
set +e
"${process.execPath}" "${kiinniBin}" --data-dir "${dir}/data" ingest staff "${dir}/staff.csv"
echo "exit=$?"
ls -a "${dir}/data"`;
    const r = spawnSync('unshare', ['-rm', 'bash', '-c', script], { encoding: 'utf8', env: { ...process.env, TZ: 'Europe/Helsinki' } });
    expect(r.error, 'unshare is needed for this test (util-linux)').toBeUndefined();
    expect(r.stdout, r.stderr).toMatch(/exit=1/);
    expect(r.stderr).toMatch(/disk is full/);
    expect(r.stderr).not.toMatch(/bug/);
    expect(r.stdout).not.toMatch(/kiinni\.lock\.\d+\.tmp/);
  });
});
