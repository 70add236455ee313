import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Warehouse } from '../db/warehouse.js';
import { tempDir } from '../testing/temp-dir.js';
import { testEffects, withWarehouse } from '../testing/warehouse.js';
import { ingestFile } from './ingest-file.js';
import { listQuarantine } from './quarantine.js';
import { findProfile, parseProfile, type ImportProfile } from './profiles.js';
import type { ContractKind } from './contracts/index.js';

const staffCsv = 'staff_id,name,email,language,roles,unit\nT1,Teacher One,t1@example.fi,fi,teacher|group_supervisor,Pasila\n';
const studentsHeader =
  'student_id,unit,programme,education_type,group,study_right_start,planned_end,birth_year,gender,home_language,admission_route,first_choice,prior_gpa,prior_special_support,prior_interruptions,lives_independently';
const student = (id: string) => `${id},Pasila,lahihoitaja,vocational,LH24A,2024-08-12,2027-06-01,2008,female,fi,joint,true,7.8,none,0,false`;
const studentsCsv = [studentsHeader, student('S1'), student('S2')].join('\n') + '\n';
const attendanceHeader = 'student_id,date,lessons_scheduled,absent_excused,absent_unexcused,late';

async function load(db: Warehouse, kind: ContractKind, file: string, profile?: string) {
  return ingestFile(db, { kind, file, profile: profile ? findProfile(profile, undefined) : undefined }, testEffects);
}

async function withStudents<T>(fn: (db: Warehouse, dir: string) => Promise<T>): Promise<T> {
  return withWarehouse(async (db) => {
    const dir = tempDir({ 'staff.csv': staffCsv, 'students.csv': studentsCsv });
    await load(db, 'staff', path.join(dir, 'staff.csv'));
    await load(db, 'students', path.join(dir, 'students.csv'));
    return fn(db, dir);
  });
}

async function count(db: Warehouse, table: string): Promise<number> {
  return Number((await db.one(`SELECT count(*) AS n FROM ${table}`))?.['n']);
}

describe('ingestFile', () => {
  it('loads a clean file and a second load of the same bytes changes nothing', async () => {
    await withStudents(async (db, dir) => {
      const file = path.join(tempDir({ 'attendance.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,1,0\nS2,2024-09-02,6,2,0,\n` }), 'attendance.csv');
      const first = await load(db, 'attendance', file);
      expect(first).toMatchObject({ status: 'loaded', rows_read: 2, rows_loaded: 2, rows_quarantined: 0 });
      const before = await db.all('SELECT * EXCLUDE (_ingest_id) FROM attendance ORDER BY ALL');
      const again = await load(db, 'attendance', file);
      expect(again.status).toBe('unchanged');
      expect(await db.all('SELECT * EXCLUDE (_ingest_id) FROM attendance ORDER BY ALL')).toEqual(before);
      expect(dir).toBeTruthy();
    });
  });

  it('upserts by natural key: a newer export of the same day replaces the row', async () => {
    await withStudents(async (db) => {
      const d = tempDir({
        'a1.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,1,0\n`,
        'a2.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,3,0\nS1,2024-09-03,6,0,0,0\n`,
      });
      await load(db, 'attendance', path.join(d, 'a1.csv'));
      await load(db, 'attendance', path.join(d, 'a2.csv'));
      expect(await db.all(`SELECT strftime(date, '%Y-%m-%d') AS date, absent_unexcused FROM attendance ORDER BY date`)).toEqual([
        { date: '2024-09-02', absent_unexcused: 3 },
        { date: '2024-09-03', absent_unexcused: 0 },
      ]);
    });
  });

  it('keeps the newest course_progress row: a late-arriving older export is superseded, not applied', async () => {
    await withStudents(async (db) => {
      const header = 'student_id,course_id,credits,planned_start,planned_end,status,grade,completed_on,updated_at';
      const d = tempDir({
        'new.csv': `${header}\nS1,YTO1,10,2024-08-12,2024-12-20,completed,4,2024-12-01,2024-12-02 10:00:00\n`,
        'old.csv': `${header}\nS1,YTO1,10,2024-08-12,2024-12-20,in_progress,,,2024-10-01\n`,
      });
      await load(db, 'course_progress', path.join(d, 'new.csv'));
      const old = await load(db, 'course_progress', path.join(d, 'old.csv'));
      expect(old).toMatchObject({ rows_superseded: 1, rows_loaded: 0 });
      expect(await db.all('SELECT status FROM course_progress')).toEqual([{ status: 'completed' }]);
    });
  });

  // Each bad-input class: the row is quarantined with file, line, column and reason; good rows still load.
  const rowCases: [string, string, { column: string; reason: RegExp; value?: string | null }][] = [
    ['wrong type', 'S1,2024-09-02,six,0,0,0', { column: 'lessons_scheduled', reason: /whole number/, value: 'six' }],
    ['a fraction where a whole number is expected', 'S1,2024-09-02,6,0.5,0,0', { column: 'absent_excused', reason: /whole number/, value: '0.5' }],
    ['bad date', 'S1,2024-02-30,6,0,0,0', { column: 'date', reason: /date like 2025-08-11/, value: '2024-02-30' }],
    ['Finnish date in a canonical file', 'S1,2.9.2024,6,0,0,0', { column: 'date', reason: /date like/, value: '2.9.2024' }],
    ['unknown student', 'S404,2024-09-02,6,0,0,0', { column: 'student_id', reason: /unknown student_id: not in students/, value: 'S404' }],
    ['out of range', 'S1,2024-09-02,600,0,0,0', { column: 'lessons_scheduled', reason: /from 0 to 100/ }],
    ['missing required value', 'S1,2024-09-02,6,,0,0', { column: 'absent_excused', reason: /missing value/ }],
    ['a cross-column rule', 'S1,2024-09-02,6,4,4,0', { column: 'absent_unexcused', reason: /exceed lessons_scheduled/ }],
    ['truncated last line', 'S1,2024-09-0', { column: 'date', reason: /date like/ }],
  ];
  it.each(rowCases)('quarantines %s with its line, column and reason', async (_name, badLine, want) => {
    await withStudents(async (db) => {
      const file = path.join(tempDir({ 'attendance.csv': `${attendanceHeader}\nS2,2024-09-01,6,0,0,0\n${badLine}\n` }), 'attendance.csv');
      const r = await load(db, 'attendance', file);
      expect(r).toMatchObject({ status: 'loaded', rows_loaded: 1, rows_quarantined: 1 });
      const q = await listQuarantine(db);
      expect(q.length).toBeGreaterThanOrEqual(1);
      const hit = q.find((x) => x.column === want.column);
      expect(hit, JSON.stringify(q)).toBeDefined();
      expect(hit).toMatchObject({ file: 'attendance.csv', line: 3, kind: 'attendance' });
      expect(hit!.reason).toMatch(want.reason);
      if (want.value !== undefined) expect(hit!.value).toBe(want.value);
    });
  });

  it('quarantines unknown enum values and names the allowed ones', async () => {
    await withWarehouse(async (db) => {
      const file = path.join(tempDir({ 'students.csv': [studentsHeader, student('S1'), student('S2').replace('vocational', 'vokational')].join('\n') }), 'students.csv');
      const r = await load(db, 'students', file);
      expect(r).toMatchObject({ rows_loaded: 1, rows_quarantined: 1 });
      expect(await listQuarantine(db)).toMatchObject([{ line: 3, column: 'education_type', reason: 'expected one of: vocational, upper_secondary', value: 'vokational' }]);
    });
  });

  it('rejects every copy of a key that appears twice in one file, naming both lines', async () => {
    await withStudents(async (db) => {
      const file = path.join(tempDir({ 'a.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS2,2024-09-02,6,0,0,0\nS1,2024-09-02,6,1,0,0\n` }), 'a.csv');
      const r = await load(db, 'attendance', file);
      expect(r).toMatchObject({ rows_loaded: 1, rows_quarantined: 2 });
      const q = await listQuarantine(db);
      expect(q.map((x) => x.line)).toEqual([2, 4]);
      expect(q[0]!.reason).toBe('duplicate key (student_id, date) within the file, on lines 2, 4');
    });
  });

  it('quarantines lines the CSV reader cannot split, and still numbers later lines right', async () => {
    await withStudents(async (db) => {
      const file = path.join(
        tempDir({ 'a.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS1,2024-09-03,6,0,0,0,7,8\nS2,2024-09-03,6,0,0,0\nS2,2024-09-40,6,0,0,0\n` }),
        'a.csv',
      );
      const r = await load(db, 'attendance', file);
      expect(r).toMatchObject({ rows_read: 4, rows_loaded: 2, rows_quarantined: 2 });
      const q = await listQuarantine(db);
      expect(q.map((x) => [x.line, x.column])).toEqual([
        [3, null],
        [5, 'date'],
      ]);
      expect(q[0]!.reason).toMatch(/more fields than the header/);
    });
  });

  const refusals: [string, Record<string, string | Buffer>, RegExp][] = [
    ['a missing required column', { 'a.csv': 'student_id,date,lessons_scheduled,absent_excused\nS1,2024-09-02,6,0\n' }, /required column "absent_unexcused" missing/],
    ['a wrong delimiter', { 'a.csv': `${attendanceHeader.replaceAll(',', '|')}\nS1|2024-09-02|6|0|0|0\n` }, /single column: is the delimiter/],
    ['binary garbage', { 'a.csv': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x10, 0x00]) }, /binary data/],
    ['an empty file', { 'a.csv': '' }, /empty/],
    ['a personal identity code', { 'a.csv': `${attendanceHeader},note\nS1,2024-09-02,6,0,0,0,ok\nS2,2024-09-02,6,0,0,0,see 131052-308T\n` }, /identity code \(henkilötunnus\) in column 7 of the header \(1 row, first on line 3\)/],
    ['a Parquet name on a text file', { 'a.parquet': 'student_id\nS1\n' }, /not a Parquet file/],
    ['an unknown extension', { 'a.xlsx': 'x' }, /unknown file type/],
  ];
  it.each(refusals)('refuses a file with %s, naming the file, and loads nothing', async (_name, files, message) => {
    await withStudents(async (db) => {
      const name = Object.keys(files)[0]!;
      const r = await load(db, 'attendance', path.join(tempDir(files), name));
      expect(r.status).toBe('refused');
      expect(r.message).toMatch(new RegExp(`^${name.replace('.', '\\.')}: `));
      expect(r.message).toMatch(message);
      expect(await count(db, 'attendance')).toBe(0);
      expect(await count(db, 'quarantine')).toBe(0);
    });
  });

  it('never echoes an identity code in the refusal', async () => {
    await withStudents(async (db) => {
      const r = await load(db, 'attendance', path.join(tempDir({ 'a.csv': `${attendanceHeader}\n010203A1230,2024-09-02,6,0,0,0\n` }), 'a.csv'));
      expect(r.status).toBe('refused');
      expect(JSON.stringify(r)).not.toContain('010203A1230');
      expect(JSON.stringify(await db.all('SELECT * FROM ingest_log'))).not.toContain('010203A1230');
    });
  });

  it('reads semicolons, decimal commas and a BOM', async () => {
    await withWarehouse(async (db) => {
      const text = '\ufeff' + [studentsHeader.replaceAll(',', ';'), student('S1').replaceAll(',', ';').replace('7.8', '7,8')].join('\r\n') + '\r\n';
      const r = await load(db, 'students', path.join(tempDir({ 's.csv': text }), 's.csv'));
      expect(r).toMatchObject({ status: 'loaded', rows_loaded: 1, rows_quarantined: 0 });
      expect(await db.all('SELECT student_id, prior_gpa FROM students')).toEqual([{ student_id: 'S1', prior_gpa: 7.8 }]);
    });
  });

  it('converts a Windows-1252 export and says so', async () => {
    await withWarehouse(async (db) => {
      const text = [studentsHeader, student('S1').replace('Pasila', 'Hämeenlinna')].join('\n') + '\n';
      const r = await load(db, 'students', path.join(tempDir({ 's.csv': Buffer.from(text, 'latin1') }), 's.csv'));
      expect(r.status).toBe('loaded');
      expect(r.warnings.join()).toMatch(/Windows-1252/);
      expect(await db.all('SELECT unit FROM students')).toEqual([{ unit: 'Hämeenlinna' }]);
    });
  });

  it('reads JSON lines and Parquet through the same checks', async () => {
    await withStudents(async (db) => {
      const dir = tempDir({
        'a.jsonl': [
          { student_id: 'S1', date: '2024-09-02', lessons_scheduled: 6, absent_excused: 0, absent_unexcused: 1, late: 0 },
          { student_id: 'S2', date: '2024-09-02', lessons_scheduled: 6, absent_excused: 9, absent_unexcused: 1, late: 0 },
        ]
          .map((o) => JSON.stringify(o))
          .join('\n'),
      });
      const j = await load(db, 'attendance', path.join(dir, 'a.jsonl'));
      expect(j).toMatchObject({ format: 'jsonl', rows_loaded: 1, rows_quarantined: 1 });
      expect((await listQuarantine(db))[0]).toMatchObject({ line: 2, column: 'absent_unexcused' });
      const pq = path.join(dir, 'a.parquet');
      await db.run(`COPY (SELECT 'S2' AS student_id, DATE '2024-09-05' AS date, 6 AS lessons_scheduled, 0 AS absent_excused, 0 AS absent_unexcused) TO '${pq}' (FORMAT parquet)`);
      const p = await load(db, 'attendance', pq);
      expect(p).toMatchObject({ format: 'parquet', rows_loaded: 1, rows_quarantined: 0 });
    });
  });

  it('maps a Wilma-style export with Finnish headers through its import profile', async () => {
    await withStudents(async (db) => {
      const text =
        'Opiskelijatunnus;Päivämäärä;Oppitunteja;Selvitetyt poissaolot;Selvittämättömät poissaolot;Myöhästymiset\nS1;2.9.2024;6;0;2;1\nS2;31.9.2024;6;0;0;0\n';
      const r = await load(db, 'attendance', path.join(tempDir({ 'poissaolot.csv': text }), 'poissaolot.csv'), 'wilma-attendance');
      expect(r).toMatchObject({ rows_loaded: 1, rows_quarantined: 1, profile: 'wilma-attendance' });
      expect((await listQuarantine(db))[0]).toMatchObject({ line: 3, column: 'date', reason: 'expected a date in the format d.m.yyyy', value: '31.9.2024' });
      expect(await db.all(`SELECT strftime(date, '%Y-%m-%d') AS d, absent_unexcused FROM attendance`)).toEqual([{ d: '2024-09-02', absent_unexcused: 2 }]);
    });
  });

  it('maps check-in bot answers (kyllä/ei, Finnish topics)', async () => {
    await withStudents(async (db) => {
      const dir = tempDir({
        'bot.csv': 'user_ref,sent_at,question,answer,wants_contact,topic\nS1,3.10.2024 14:05,vointi,2,kyllä,hyvinvointi\nS2,3.10.2024 14:07,uni,4,ei,\n',
      });
      const bot = await load(db, 'wellbeing', path.join(dir, 'bot.csv'), 'checkin-bot');
      expect(bot).toMatchObject({ rows_loaded: 2, rows_quarantined: 0 });
      expect(await db.all(`SELECT student_id, source, item, value, need_help, need_category FROM wellbeing ORDER BY student_id`)).toEqual([
        { student_id: 'S1', source: 'check-in', item: 'mood', value: 2, need_help: true, need_category: 'wellbeing' },
        { student_id: 'S2', source: 'check-in', item: 'sleep', value: 4, need_help: false, need_category: null },
      ]);
    });
  });

  it('re-checks a file that had quarantined rows once the missing students arrive, without doubling the quarantine', async () => {
    await withStudents(async (db) => {
      const dir = tempDir({ 'a.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS3,2024-09-02,6,0,0,0\n`, 's3.csv': [studentsHeader, student('S3')].join('\n') });
      expect(await load(db, 'attendance', path.join(dir, 'a.csv'))).toMatchObject({ rows_loaded: 1, rows_quarantined: 1 });
      expect(await load(db, 'attendance', path.join(dir, 'a.csv'))).toMatchObject({ rows_loaded: 1, rows_quarantined: 1 });
      expect(await count(db, 'quarantine')).toBe(1);
      await load(db, 'students', path.join(dir, 's3.csv'));
      expect(await load(db, 'attendance', path.join(dir, 'a.csv'))).toMatchObject({ rows_loaded: 2, rows_quarantined: 0 });
      expect(await count(db, 'quarantine')).toBe(0);
      expect(await count(db, 'attendance')).toBe(2);
    });
  });
});

/** A debug-level logger whose lines land in `lines`. */
function captureLogger(lines: string[]) {
  return pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
}

describe('ingestFile streams a clean file', () => {
  const integers = ['3', ' 3', '+3', '007', '3.0', '3.5', '1e2', '25e-1', '1e-3', '.5', '0x10', '2147483648', '-1', 'nan', 'inf', '"3,5"', ''];
  const dates = ['2024-09-02', '2024-9-2', '2024/09/02', '2024-09-02 10:00', '2024-09-02T00:00', '20240902', '2024-02-30', '99999-01-01', '0001-01-01', 'infinity', '2.9.2024'];
  const files = [
    ...integers.map((v) => `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS2,2024-09-02,6,${v},0,0\n`),
    ...dates.map((v) => `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS2,${v},6,0,0,0\n`),
    `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS1,2024-09-02,6,1,0,0\n`,
    `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS9,2024-09-02,6,0,0,0\n`,
    `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS2,2024-09-02,6,0,0\n`,
    // Student ids with spaces around them, quoted or not, and none.
    `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\n S2 ,2024-09-02,6,0,0,0\n`,
    `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\n" S2",2024-09-02,6,0,0,0\n`,
    `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\n,2024-09-02,6,0,0,0\n`,
    `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\n"",2024-09-02,6,0,0,0\n`,
  ];

  async function outcome(db: Warehouse, text: string, stream: boolean, profile?: ImportProfile, logger = testEffects.logger) {
    await db.run('DELETE FROM attendance; DELETE FROM quarantine; DELETE FROM ingest_log');
    const file = path.join(tempDir({ 'attendance.csv': text }), 'attendance.csv');
    const r = await ingestFile(db, { kind: 'attendance', file, stream, profile }, { ...testEffects, logger });
    return {
      line: text.split('\n')[2],
      result: { status: r.status, read: r.rows_read, loaded: r.rows_loaded, quarantined: r.rows_quarantined, skipped: r.rows_skipped, message: r.message },
      rows: await db.all('SELECT * EXCLUDE (_ingest_id) FROM attendance ORDER BY ALL'),
      quarantine: (await listQuarantine(db, {})).map((q) => ({ line: q.line, column: q.column, reason: q.reason, value: q.value })),
    };
  }

  it('loads what the reader types itself (integers, dates) exactly as the row-by-row check does', async () => {
    await withStudents(async (streamed) => {
      await withStudents(async (checked) => {
        for (const text of files) expect(await outcome(streamed, text, true)).toEqual(await outcome(checked, text, false));
      });
    });
  });

  it('takes whole numbers in an integer column however they are written, and quarantines a fraction in any notation (never rounds it)', async () => {
    await withStudents(async (db) => {
      for (const stream of [true, false]) {
        for (const [v, loaded] of [['1e2', 100], ['3.0', 3], ['25e-1', null], ['1e-3', null], ['.5', null], ['3.5', null]] as const) {
          const o = await outcome(db, `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS2,2024-09-02,6,0,0,${v}\n`, stream);
          if (loaded === null) expect(o.quarantine.map((q) => q.column), `${v}, stream ${stream}`).toEqual(['late']);
          else expect(o.rows.map((r) => r['late']), `${v}, stream ${stream}`).toEqual([0, loaded]);
        }
      }
    });
  });

  it('finds a key repeated anywhere in the file, and skips rows on purpose, exactly as the row-by-row check does', async () => {
    const skipS9 = parseProfile({ name: 'skip-s9', kind: 'attendance', description: 'test', skip_where: "student_id = 'S9'" }, 'test');
    const row = (id: string, day: number, late = 0) => `${id},2024-09-${String(day).padStart(2, '0')},6,0,0,${late}`;
    const many = Array.from({ length: 25 }, (_, d) => [row('S1', d + 1), row('S2', d + 1)]).flat();
    // [rows, profile, streams: no problem, so no need of the row-by-row check]
    const cases: [string[], ImportProfile | undefined, boolean][] = [
      [[...many, row('S1', 13, 1)], undefined, false], // one key twice, far apart
      [[row('S2', 3), ...many, row('S2', 3, 2), row('S2', 3, 3)], undefined, false], // three copies
      [[row('S9', 1), row('S9', 1), ...many], skipS9, true], // skipped rows share a key: not a repeat
      [[row('S9', 1), ...many, row('S1', 4, 1)], skipS9, false], // skipped rows and a repeated key
      [[row('S9', 2), ...many], skipS9, true],
    ];
    await withStudents(async (streamed) => {
      await withStudents(async (checked) => {
        for (const [rows, profile, streams] of cases) {
          const text = `${attendanceHeader}\n${rows.join('\n')}\n`;
          const lines: string[] = [];
          const ours = await outcome(streamed, text, true, profile, captureLogger(lines));
          expect(ours).toEqual(await outcome(checked, text, false, profile));
          expect(ours.result.status).toBe('loaded');
          expect(lines.some((l) => l.includes('ingest_streaming_gave_way'))).toBe(!streams);
        }
      });
    });
  });

  it('over rows already loaded: replaces those with the file\'s keys, keeps the rest, and a problem on the last line writes nothing', async () => {
    const earlier = `${attendanceHeader}\nS1,2024-09-02,6,0,1,0\nS1,2024-09-03,6,0,2,0\nS2,2024-09-02,6,0,3,0\n`;
    const later = [
      `${attendanceHeader}\nS1,2024-09-03,6,0,5,0\nS2,2024-09-04,6,0,0,1\n`, // one key replaced, one new
      `${attendanceHeader}\nS1,2024-09-03,6,0,5,0\nS2,2024-09-04,6,0,0,1\nS2,2024-09-05,6,9,0,0\n`, // the last row is impossible (9 of 6)
      `${attendanceHeader}\nS1,2024-09-03,6,0,5,0\nS2,2024-09-04,6,0,0,1\nS1,2024-09-03,6,0,4,0\n`, // the last row repeats a key
    ];
    const run = async (db: Warehouse, text: string, stream: boolean) => {
      await db.run('DELETE FROM attendance; DELETE FROM quarantine; DELETE FROM ingest_log');
      await ingestFile(db, { kind: 'attendance', file: path.join(tempDir({ 'a.csv': earlier }), 'a.csv'), stream }, testEffects);
      const lines: string[] = [];
      const r = await ingestFile(db, { kind: 'attendance', file: path.join(tempDir({ 'b.csv': text }), 'b.csv'), stream }, { ...testEffects, logger: captureLogger(lines) });
      return {
        result: { status: r.status, read: r.rows_read, loaded: r.rows_loaded, quarantined: r.rows_quarantined },
        rows: await db.all(`SELECT student_id, strftime(date, '%Y-%m-%d') AS date, absent_unexcused, late FROM attendance ORDER BY ALL`),
        gaveWay: lines.some((l) => l.includes('ingest_streaming_gave_way')),
      };
    };
    await withStudents(async (streamed) => {
      await withStudents(async (checked) => {
        for (const [k, text] of later.entries()) {
          const ours = await run(streamed, text, true);
          const theirs = await run(checked, text, false);
          expect({ ...ours, gaveWay: undefined }).toEqual({ ...theirs, gaveWay: undefined });
          expect(ours.gaveWay).toBe(k > 0);
        }
        // The clean file: S1's 3.9. replaced, S1's 2.9. and S2's 2.9. kept, S2's 4.9. added.
        expect((await run(streamed, later[0]!, true)).rows).toEqual([
          { student_id: 'S1', date: '2024-09-02', absent_unexcused: 1, late: 0 },
          { student_id: 'S1', date: '2024-09-03', absent_unexcused: 5, late: 0 },
          { student_id: 'S2', date: '2024-09-02', absent_unexcused: 3, late: 0 },
          { student_id: 'S2', date: '2024-09-04', absent_unexcused: 0, late: 1 },
        ]);
      });
    });
  });

  it("inside a caller's transaction (a KOSKI export's three loads) quarantines a bad row and a repeated key as a load of its own does, and loads nothing twice", async () => {
    const text = `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS2,2024-09-02,6,0,0,0\nS2,2024-09-02,6,0,1,0\nS1,2024-09-03,6,0,0,x\nS1,2024-09-04,6,0,0,0\n`;
    await withStudents(async (alone) => {
      await withStudents(async (nested) => {
        const own = await outcome(alone, text, true);
        const inside = await nested.transaction(() => outcome(nested, text, true));
        expect(inside).toEqual(own);
        expect(own.result).toMatchObject({ status: 'loaded', loaded: 2, quarantined: 3 });
        expect(await count(nested, 'attendance')).toBe(2);
      });
    });
  });

  it('writes a clean file without staging it, and gives way to the row-by-row check at the first problem', async () => {
    await withStudents(async (db) => {
      const lines: string[] = [];
      const fx = { ...testEffects, logger: captureLogger(lines) };
      const d = tempDir({ 'clean.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,1,0\n`, 'dup.csv': `${attendanceHeader}\nS2,2024-09-03,6,0,1,0\nS2,2024-09-03,6,0,2,0\n` });
      expect(await ingestFile(db, { kind: 'attendance', file: path.join(d, 'clean.csv') }, fx)).toMatchObject({ status: 'loaded', rows_loaded: 1 });
      expect(lines.filter((l) => l.includes('ingest_streaming_gave_way'))).toEqual([]);
      expect(lines.some((l) => l.includes('"step":"insert"'))).toBe(true);
      expect(await ingestFile(db, { kind: 'attendance', file: path.join(d, 'dup.csv') }, fx)).toMatchObject({ status: 'refused' });
      expect(lines.filter((l) => l.includes('ingest_streaming_gave_way'))).toHaveLength(1);
      expect(await count(db, 'attendance')).toBe(1);
    });
  });
});
