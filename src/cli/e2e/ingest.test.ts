import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../db/warehouse.js';
import { runCli, runCliJson, startCli } from '../../testing/cli.js';
import { tempDir } from '../../testing/temp-dir.js';

interface Status {
  tables: Record<string, { rows: number }>;
  quarantine: { rows: number };
  schema_version: number;
}
interface IngestReport {
  files: { file: string; status: string; rows_loaded: number; rows_quarantined: number; message: string | null }[];
  totals: { refused: number; rows_loaded: number; rows_quarantined: number };
}

const exportDir = () =>
  tempDir({
    'staff.csv': 'staff_id,name,email,language,roles,unit\nT1,Teacher One,t1@example.fi,fi,teacher|group_supervisor,Pasila\nN1,Nurse One,n1@example.fi,sv,nurse,Pasila\n',
    'students.csv':
      'student_id;unit;programme;education_type;group;study_right_start;planned_end;birth_year;gender;home_language;admission_route;first_choice;prior_gpa;prior_special_support;prior_interruptions;lives_independently\n' +
      'S1;Pasila;lahihoitaja;vocational;LH24A;2024-08-12;2027-06-01;2008;female;fi;joint;true;7,8;none;0;false\n' +
      'S2;Pasila;lahihoitaja;vocational;LH24A;2024-08-12;2027-06-01;2007;male;so;continuous;false;6,1;intensified;1;true\n',
    'assignments.csv': 'staff_id,role,student_id,group,valid_from,valid_to\nT1,group_supervisor,,LH24A,2024-08-01,\nN1,nurse,S1,,2024-08-01,2025-07-31\n',
    'attendance.csv': 'student_id,date,lessons_scheduled,absent_excused,absent_unexcused,late\nS1,2024-09-02,6,0,1,0\nS2,2024-09-02,6,0,0,0\nS2,2024-09-31,6,0,0,0\n',
    'README.txt': 'not data',
  });

describe('kiinni ingest (real CLI)', () => {
  it('loads a whole export in dependency order, and loading it again changes nothing', async () => {
    const data = tempDir();
    const dir = exportDir();
    expect((await runCli(['--data-dir', data, 'init'])).exitCode).toBe(0);
    const first = await runCliJson<IngestReport & { ignored_files: string[] }>(['--data-dir', data, 'ingest', '--dir', dir]);
    // README.txt is no data kind: said, and the exit is not 0 (#16: nothing is passed over in silence).
    expect(first.result.exitCode).toBe(3);
    expect(first.json.ignored_files).toEqual(['README.txt']);
    expect(first.json.files.map((f) => f.file)).toEqual(['staff.csv', 'students.csv', 'assignments.csv', 'attendance.csv']);
    expect(first.json.totals).toMatchObject({ refused: 0, rows_loaded: 8, rows_quarantined: 1 });
    const { json: status } = await runCliJson<Status>(['--data-dir', data, 'status']);
    expect(status.tables).toMatchObject({ staff: { rows: 2 }, students: { rows: 2 }, assignments: { rows: 2 }, attendance: { rows: 2 } });
    expect(status.quarantine.rows).toBe(1);

    const again = await runCliJson<IngestReport>(['--data-dir', data, 'ingest', '--dir', dir]);
    expect(again.result.exitCode).toBe(3);
    const { json: after } = await runCliJson<Status>(['--data-dir', data, 'status']);
    expect(after.tables).toEqual(status.tables);
    expect(after.quarantine).toEqual(status.quarantine);

    const q = await runCliJson<{ records: { file: string; line: number; column: string; reason: string }[] }>(['--data-dir', data, 'quarantine', 'list']);
    expect(q.json.records).toMatchObject([{ file: 'attendance.csv', line: 4, column: 'date', reason: 'expected a date like 2025-08-11' }]);
    const out = path.join(data, 'rejected.csv');
    expect((await runCli(['--data-dir', data, 'quarantine', 'export', '--out', out])).exitCode).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('exits 3 and names file and column when a file is refused; 2 for usage and config errors', async () => {
    const data = tempDir();
    await runCli(['--data-dir', data, 'init']);
    const dir = tempDir({ 'attendance.csv': 'student_id,date\nS1,2024-09-02\n' });
    const refused = await runCli(['--data-dir', data, 'ingest', 'attendance', path.join(dir, 'attendance.csv')]);
    expect(refused.exitCode).toBe(3);
    expect(refused.stdout).toMatch(/refused: attendance\.csv: required columns "lessons_scheduled", "absent_excused", "absent_unexcused" missing/);

    const unknownKind = await runCli(['--data-dir', data, 'ingest', 'absences', 'x.csv']);
    expect(unknownKind.exitCode).toBe(2);
    expect(unknownKind.stderr).toMatch(/Unknown data kind 'absences'/);

    const cfg = path.join(tempDir({ 'kiinni.yaml': 'ingest:\n  fail_on_quarantine: sometimes\n' }), 'kiinni.yaml');
    const badConfig = await runCli(['--data-dir', data, '--config', cfg, 'status']);
    expect(badConfig.exitCode).toBe(2);
    expect(badConfig.stderr).toMatch(/ingest\.fail_on_quarantine: /);

    const noWarehouse = await runCli(['--data-dir', tempDir(), 'status']);
    expect(noWarehouse.exitCode).toBe(2);
    expect(noWarehouse.stderr).toMatch(/Run 'kiinni init' first/);

    const badOption = await runCli(['--data-dir', data, 'ingest', '--no-such-option']);
    expect(badOption.exitCode).toBe(2);
  });

  describe('with a large attendance file', () => {
    let exportsDir: string;
    let bigFile: string;
    let clean: Status;
    const students = 15_000;
    const days = 200;

    beforeAll(async () => {
      exportsDir = tempDir();
      bigFile = path.join(exportsDir, 'attendance.csv');
      const db = await Warehouse.open(':memory:');
      try {
        await db.run(`COPY (SELECT 'S' || lpad(CAST(i AS VARCHAR), 6, '0') AS student_id, 'Pasila' AS unit, 'ict' AS programme, 'vocational' AS education_type,
            'G1' AS "group", DATE '2024-08-12' AS study_right_start, DATE '2027-06-01' AS planned_end, 2008 AS birth_year, 'unknown' AS gender,
            'fi' AS home_language, 'joint' AS admission_route, true AS first_choice, 7.5 AS prior_gpa, 'none' AS prior_special_support,
            0 AS prior_interruptions, false AS lives_independently FROM range(${students}) t(i)) TO '${path.join(exportsDir, 'students.csv')}' (HEADER)`);
        await db.run(`COPY (SELECT 'S' || lpad(CAST(i % ${students} AS VARCHAR), 6, '0') AS student_id, DATE '2024-08-12' + CAST(i // ${students} AS INTEGER) AS date,
            6 AS lessons_scheduled, CAST(i % 3 = 0 AS INTEGER) AS absent_excused, CAST(i % 7 = 0 AS INTEGER) AS absent_unexcused, 0 AS late
            FROM range(${students * days}) t(i)) TO '${bigFile}' (HEADER)`);
      } finally {
        db.close();
      }
      const data = tempDir();
      await runCli(['--data-dir', data, 'init']);
      expect((await runCli(['--data-dir', data, 'ingest', '--dir', exportsDir])).exitCode).toBe(0);
      clean = (await runCliJson<Status>(['--data-dir', data, 'status'])).json;
      expect(clean.tables['attendance']!.rows).toBe(students * days);
    });

    it('refuses a second writer at once with exit code 4 while an ingest runs', async () => {
      const data = tempDir();
      await runCli(['--data-dir', data, 'init']);
      const first = startCli(['--data-dir', data, 'ingest', '--dir', exportsDir]);
      const lock = path.join(data, 'kiinni.lock');
      while (!existsSync(lock)) await new Promise((r) => setTimeout(r, 20));
      const second = await runCli(['--data-dir', data, 'ingest', 'staff', bigFile]);
      expect(second.exitCode).toBe(4);
      expect(second.stderr).toMatch(/Another kiinni command is writing to this warehouse: 'ingest' \(pid \d+/);
      await new Promise((r) => first.on('close', r));
      expect(first.exitCode).toBe(0);
    });

    it('a SIGKILL mid-file leaves nothing half-loaded, and the re-run ends with the same counts as a clean run', async () => {
      const data = tempDir();
      await runCli(['--data-dir', data, 'init']);
      await runCli(['--data-dir', data, 'ingest', 'staff', path.join(exportDir(), 'staff.csv')]);
      await runCli(['--data-dir', data, 'ingest', 'students', path.join(exportsDir, 'students.csv')]);
      const child = startCli(['--data-dir', data, 'ingest', 'attendance', bigFile]);
      const lock = path.join(data, 'kiinni.lock');
      while (!existsSync(lock)) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 700)); // well inside the ~3 s load
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      expect(existsSync(lock)).toBe(true); // the killed process could not clean up

      const mid = (await runCliJson<Status>(['--data-dir', data, 'status'])).json;
      expect([0, students * days]).toContain(mid.tables['attendance']!.rows); // all or nothing

      const rerun = await runCli(['--data-dir', data, 'ingest', 'attendance', bigFile]);
      expect(rerun.exitCode).toBe(0);
      const after = (await runCliJson<Status>(['--data-dir', data, 'status'])).json;
      expect(after.tables['attendance']).toEqual(clean.tables['attendance']);
      expect(after.tables['students']).toEqual(clean.tables['students']);
      expect(after.quarantine).toEqual(clean.quarantine);
    });

    it('a SIGKILL after the rows are committed but before their repeated-key check: the next writer removes them, and the re-run ends as a clean run', async () => {
      const data = tempDir();
      await runCli(['--data-dir', data, 'init']);
      await runCli(['--data-dir', data, 'ingest', 'staff', path.join(exportDir(), 'staff.csv')]);
      await runCli(['--data-dir', data, 'ingest', 'students', path.join(exportsDir, 'students.csv')]);
      const child = startCli(['--data-dir', data, 'ingest', 'attendance', bigFile], { env: { KIINNI_LOG_LEVEL: 'debug' } });
      // The insert step's line is written once its transaction has committed.
      await new Promise<void>((resolve) => {
        let seen = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('"step":"insert"')) {
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      await new Promise((r) => child.on('close', r));
      const db = await Warehouse.open(path.join(data, 'kiinni.duckdb'), { readOnly: true });
      try {
        expect(Number((await db.one('SELECT count(*) AS n FROM attendance'))?.['n'])).toBe(students * days);
        expect(Number((await db.one('SELECT count(*) AS n FROM ingest_unchecked'))?.['n'])).toBe(1);
        expect(await db.one("SELECT * FROM ingest_log WHERE kind = 'attendance'")).toBeUndefined();
      } finally {
        db.close();
      }

      const rerun = await runCli(['--data-dir', data, 'ingest', 'attendance', bigFile]);
      expect(rerun.exitCode).toBe(0);
      expect(rerun.stderr).toMatch(/interrupted_loads_undone/);
      const after = (await runCliJson<Status>(['--data-dir', data, 'status'])).json;
      expect(after.tables['attendance']).toEqual(clean.tables['attendance']);
      expect(after.quarantine).toEqual(clean.quarantine);
    });
  });

  it('prints contracts as stable JSON', async () => {
    const { result, json } = await runCliJson<{ kind: string; key: string[]; columns: { name: string; sensitivity: string }[] }>(['contracts', 'wellbeing']);
    expect(result.exitCode).toBe(0);
    expect(json.kind).toBe('wellbeing');
    expect(json.key).toEqual(['student_id', 'answered_at', 'source', 'item']);
    expect(json.columns.find((c) => c.name === 'value')?.sensitivity).toBe('welfare');
  });
});
