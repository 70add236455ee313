import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Warehouse } from '../db/warehouse.js';
import { caught, expectKiinniError } from '../testing/errors.js';
import { tempDir } from '../testing/temp-dir.js';
import { testEffects, withWarehouse } from '../testing/warehouse.js';
import type { ContractKind } from './contracts/index.js';
import { ingestFile } from './ingest-file.js';
import { readProfileFile } from './profiles.js';
import { exportQuarantine } from './quarantine.js';

/** The ingest edge (issue #16): what a coordinator's files can do to kiinni. */

const staffHeader = 'staff_id,name,email,language,roles,unit';
const staffCsv = `${staffHeader}\nT1,Teacher One,t1@example.fi,fi,teacher|group_supervisor,Pasila\n`;
const studentsHeader =
  'student_id,unit,programme,education_type,group,study_right_start,planned_end,birth_year,gender,home_language,admission_route,first_choice,prior_gpa,prior_special_support,prior_interruptions,lives_independently';
const student = (id: string) => `${id},Pasila,lahihoitaja,vocational,LH24A,2024-08-12,2027-06-01,2008,female,fi,joint,true,7.8,none,0,false`;
const attendanceHeader = 'student_id,date,lessons_scheduled,absent_excused,absent_unexcused,late';
// Built at run time, so no code-shaped text sits in the source: valid check character.
const code = (ddmmyy: string, sign: string, nnn: string) => `${ddmmyy}${sign}${nnn}${'0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(ddmmyy + nnn) % 31]}`;
const hetu = code('131052', '-', '308');

async function withStudents<T>(fn: (db: Warehouse) => Promise<T>): Promise<T> {
  return withWarehouse(async (db) => {
    const dir = tempDir({ 'staff.csv': staffCsv, 'students.csv': [studentsHeader, student('S1'), student('S2')].join('\n') + '\n' });
    await ingestFile(db, { kind: 'staff', file: path.join(dir, 'staff.csv') }, testEffects);
    await ingestFile(db, { kind: 'students', file: path.join(dir, 'students.csv') }, testEffects);
    return fn(db);
  });
}

const load = (db: Warehouse, kind: ContractKind, file: string, extra: object = {}) => ingestFile(db, { kind, file, ...extra }, testEffects);

/** Everything the warehouse holds, as text: no identity code may be anywhere in it. */
async function dumpWarehouse(db: Warehouse): Promise<string> {
  const tables = await db.all(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'`);
  let out = '';
  for (const t of tables) out += JSON.stringify(await db.all(`SELECT * FROM "${String(t['table_name'])}"`));
  return out;
}

describe('ingest hardening (#16)', () => {
  it('#16.1 a staff name with address syntax, or a second address, is quarantined', async () => {
    await withWarehouse(async (db) => {
      const dir = tempDir({ 'staff.csv': `${staffHeader}\nT1,"Adam Ali <spy@evil.example>, Adam Ali",t1@example.fi,fi,teacher,\nT2,Bea,"b@example.fi,spy@evil.example",fi,teacher,\nT3,Cay,c@example.fi,fi,teacher,\n` });
      const r = await load(db, 'staff', path.join(dir, 'staff.csv'));
      expect(r).toMatchObject({ status: 'loaded', rows_loaded: 1, rows_quarantined: 2 });
      expect((await db.all(`SELECT staff_id FROM staff`)).map((x) => x['staff_id'])).toEqual(['T3']);
    });
  });

  it('#16.4 a profile expression may read only the file\'s own columns: no subquery, table or file reader', async () => {
    await withStudents(async (db) => {
      const dir = tempDir({ 'a.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\n` });
      for (const [key, expr] of [
        ['skip_where', 'student_id IN (SELECT student_id FROM wellbeing)'],
        ['skip_where', 'EXISTS (SELECT 1 FROM students)'],
        ['derived', "(SELECT content FROM read_text('/etc/hostname'))"],
        ['derived', "getenv('HOME')"],
        ['derived', 'no_such_column'],
      ] as const) {
        const doc = { name: 'p', kind: 'attendance', ...(key === 'skip_where' ? { skip_where: expr } : { derived: { late: expr } }) };
        const file = path.join(dir, `p-${Math.random().toString(36).slice(2)}.yaml`);
        writeFileSync(file, stringify(doc));
        expectKiinniError(await caught(() => load(db, 'attendance', path.join(dir, 'a.csv'), { profile: readProfileFile(file) })), { code: 'CONFIG_INVALID', message: new RegExp(key) });
      }
      expect(Number((await db.one(`SELECT count(*) AS n FROM attendance`))!['n'])).toBe(0);
      // An expression over the file's columns works.
      const ok = path.join(dir, 'ok.yaml');
      writeFileSync(ok, stringify({ name: 'ok', kind: 'attendance', derived: { late: 'CAST(absent_excused AS INTEGER) * 0' }, skip_where: "student_id = 'nobody'" }));
      expect(await load(db, 'attendance', path.join(dir, 'a.csv'), { profile: readProfileFile(ok) })).toMatchObject({ status: 'loaded', rows_loaded: 1 });
    });
  });

  it('#16.5 the quarantine export neutralises formulas in file names, reasons and raw lines', async () => {
    await withStudents(async (db) => {
      const dir = tempDir({ '=cmd.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\n"=HYPERLINK(""http://x"")",2024-09-02,6,0,0,0\n@S1,2024-09-02,6,0,0,0\n` });
      await load(db, 'attendance', path.join(dir, '=cmd.csv'));
      const out = path.join(dir, 'rejected.csv');
      await exportQuarantine(db, out);
      const text = readFileSync(out, 'utf8');
      expect(text).not.toMatch(/(^|,)"?[=+@-]/m);
      expect(text).toContain(`"'=cmd.csv"`);
    });
  });

  it('#16.6 an identity code in a file name or a header is never echoed or stored', async () => {
    await withStudents(async (db) => {
      const named = tempDir({ [`attendance-${hetu}.csv`]: `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\n` });
      const byName = await load(db, 'attendance', path.join(named, `attendance-${hetu}.csv`));
      const inHeader = tempDir({ 'a.csv': `${attendanceHeader},${hetu}\nS1,2024-09-02,6,0,0,0,x\n`, 'b.jsonl': `{"student_id":"S1","date":"2024-09-02","lessons_scheduled":6,"absent_excused":0,"absent_unexcused":0,"late":0,"${hetu.toLowerCase()}":1}\n` });
      const byHeader = await load(db, 'attendance', path.join(inHeader, 'a.csv'));
      const byKey = await load(db, 'attendance', path.join(inHeader, 'b.jsonl'));
      // A header that is really a data row: nothing of it is quoted.
      const noHeader = tempDir({ 'c.csv': `Matti Meikäläinen,${hetu},x\nS1,2024-09-02,6\n` });
      const byRow = await load(db, 'attendance', path.join(noHeader, 'c.csv'));
      for (const r of [byName, byHeader, byKey, byRow]) {
        expect(r.status).toBe('refused');
        expect(JSON.stringify(r).toLowerCase()).not.toContain(hetu.toLowerCase());
      }
      expect(JSON.stringify(byRow)).not.toContain('Matti');
      expect(byHeader.message).toMatch(/column 7 of the header/);
      const dump = (await dumpWarehouse(db)).toLowerCase();
      expect(dump).not.toContain(hetu.toLowerCase());
      expect(dump).not.toContain('matti');
    });
  });

  it('#16.7 variants of an identity code are refused wherever they stand', async () => {
    await withStudents(async (db) => {
      for (const v of [`ID${hetu}`, `${hetu}x`, hetu.toLowerCase(), code('010101', 'A', '123'), code('311299', 'Y', '900'), `010101-${hetu}`]) {
        const dir = tempDir({ 'staff.csv': `${staffHeader}\nT9,${v},t9@example.fi,fi,teacher,\n` });
        const r = await load(db, 'staff', path.join(dir, 'staff.csv'));
        expect(r.status, v).toBe('refused');
        expect(JSON.stringify(r)).not.toContain(v);
      }
      expect((await dumpWarehouse(db)).toLowerCase()).not.toContain(hetu.toLowerCase());
    });
  });

  it('#16.10 mixed line endings are read; CR-only lines are refused without quoting data', async () => {
    await withStudents(async (db) => {
      const dir = tempDir({
        'crlf-lf.csv': `${attendanceHeader}\r\nS1,2024-09-02,6,0,0,0\nS2,2024-09-02,6,0,0,0\n`,
        'stray-cr.csv': `${attendanceHeader}\nS1,2024-09-09,6,0,0,0\rS2,2024-09-09,6,0,0,0\r\nS1,2024-09-16,6,0,0,0\n`,
        'cr-only.csv': `${attendanceHeader}\rS1,2024-09-23,6,0,0,0\rS2,2024-09-23,6,0,0,0\r`,
      });
      expect(await load(db, 'attendance', path.join(dir, 'crlf-lf.csv'))).toMatchObject({ status: 'loaded', rows_loaded: 2, rows_quarantined: 0 });
      const stray = await load(db, 'attendance', path.join(dir, 'stray-cr.csv'));
      expect(stray).toMatchObject({ status: 'loaded', rows_loaded: 3, rows_quarantined: 0 });
      expect(stray.warnings.join(' ')).toMatch(/mixed line endings/);
      const cr = await load(db, 'attendance', path.join(dir, 'cr-only.csv'));
      expect(cr.status).toBe('refused');
      expect(cr.message).toMatch(/carriage return \(CR\) only/);
      expect(cr.message).not.toContain('S1');
      expect(Number((await db.one(`SELECT count(*) AS n FROM attendance`))!['n'])).toBe(5);
    });
  });

  it('#16.14 dates no school record can have are quarantined, in every contract', async () => {
    await withStudents(async (db) => {
      const dir = tempDir({ 'a.csv': `${attendanceHeader}\nS1,0001-01-01,6,0,0,0\nS1,9999-12-31,6,0,0,0\nS1,2099-01-05,6,0,0,0\nS1,2024-09-02,6,0,0,0\n` });
      const r = await load(db, 'attendance', path.join(dir, 'a.csv'));
      expect(r).toMatchObject({ status: 'loaded', rows_loaded: 1, rows_quarantined: 3 });
      const reasons = await db.all(`SELECT DISTINCT reason FROM quarantine`);
      expect(reasons.map((x) => String(x['reason']))[0]).toMatch(/expected a date from 1990-01-01 to/);
    });
  });

  it('#16.15 a header longer than 64 KB is refused clearly, not cut', async () => {
    await withStudents(async (db) => {
      const dir = tempDir({ 'a.csv': `${attendanceHeader},${Array.from({ length: 9000 }, (_, i) => `extra_column_${i}`).join(',')}\nS1,2024-09-02,6,0,0,0\n` });
      const r = await load(db, 'attendance', path.join(dir, 'a.csv'));
      expect(r.status).toBe('refused');
      expect(r.message).toMatch(/header line is longer than 64 KB/);
    });
  });

  it('#16.20 a file of which every row would be quarantined is refused with the setting that fixes it', async () => {
    await withStudents(async (db) => {
      const dir = tempDir({ 'a.csv': `${attendanceHeader}\nS1,8.8.2024,6,0,0,0\nS2,9.8.2024,6,0,0,0\n`, 'b.csv': `${attendanceHeader}\nS1,2024-09-02,6,0,0,0\nS1,9.8.2024,6,0,0,0\nS2,2024-09-02,6,0,0,0\n` });
      const r = await load(db, 'attendance', path.join(dir, 'a.csv'));
      expect(r.status).toBe('refused');
      expect(r.message).toMatch(/every row \(2\) would be quarantined; most often column "date": expected a date/);
      expect(r.hint).toMatch(/date_format/);
      expect(Number((await db.one(`SELECT count(*) AS n FROM quarantine`))!['n'])).toBe(0);
      const some = await load(db, 'attendance', path.join(dir, 'b.csv'), { maxQuarantineShare: 0.2 });
      expect(some).toMatchObject({ status: 'loaded', rows_loaded: 2, rows_quarantined: 1, quarantine_share_exceeded: true });
    });
  });

  it('never echoes, stores or crashes on an identity code planted anywhere (property)', async () => {
    const codeArb = fc
      .tuple(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom('-', '+', 'A', 'B', 'C', 'D', 'E', 'F', 'U', 'V', 'W', 'X', 'Y'), fc.integer({ min: 2, max: 899 }), fc.boolean())
      .map(([d, m, y, sign, n, lower]) => {
        const c = code(`${String(d).padStart(2, '0')}${String(m).padStart(2, '0')}${String(y).padStart(2, '0')}`, sign, String(n).padStart(3, '0'));
        return lower ? c.toLowerCase() : c;
      });
    const textArb = fc.string({ unit: fc.constantFrom('a', 'b', 'x', '1', '-', ' ', 'ä', '"', ';') , maxLength: 6 });
    const where = fc.constantFrom('file name', 'header', 'value', 'extra column value', 'json key');
    const ending = fc.constantFrom('\n', '\r\n', 'mixed');
    const encoding = fc.constantFrom<'utf8' | 'latin1'>('utf8', 'latin1');
    await withStudents(async (db) => {
      await fc.assert(
        fc.asyncProperty(codeArb, textArb, textArb, where, ending, encoding, async (c, before, after, at, eol, enc) => {
          const planted = `${before}${c}${after}`.replace(/[\r\n]/g, '');
          const cell = `"${planted.replace(/"/g, '""')}"`;
          const lines = at === 'json key' ? [] : [at === 'header' ? `${attendanceHeader},${cell}` : at === 'extra column value' ? `${attendanceHeader},note` : attendanceHeader];
          if (at === 'value') lines.push(`${cell},2024-09-02,6,0,0,0`);
          else if (at === 'extra column value') lines.push(`S1,2024-09-02,6,0,0,0,${cell}`);
          else if (at === 'header') lines.push('S1,2024-09-02,6,0,0,0,x');
          else lines.push('S1,2024-09-02,6,0,0,0');
          let body = lines.map((l, i) => l + (eol === 'mixed' ? (i % 2 ? '\n' : '\r\n') : eol)).join('');
          if (at === 'json key') body = `${JSON.stringify({ student_id: 'S1', date: '2024-09-02', lessons_scheduled: 6, absent_excused: 0, absent_unexcused: 0, late: 0, [planted]: 1 })}\n`;
          const name = at === 'file name' ? `att ${planted.replace(/[/\\"]/g, '_')}.csv` : at === 'json key' ? 'a.jsonl' : 'a.csv';
          const dir = tempDir({ [name]: Buffer.from(body, enc) });
          const before0 = await dumpWarehouse(db);
          let result: unknown;
          try {
            result = await load(db, 'attendance', path.join(dir, name));
          } catch (err) {
            // Only expected errors: a KiinniError with a code, never a crash.
            expect((err as { code?: string }).code, String(err)).toMatch(/^[A-Z_]+$/);
            result = { message: (err as Error).message, hint: (err as { hint?: string }).hint };
          }
          const said = JSON.stringify(result).toLowerCase();
          expect(said).not.toContain(c.toLowerCase());
          const after0 = (await dumpWarehouse(db)).toLowerCase();
          expect(after0).not.toContain(c.toLowerCase());
          expect(after0.length).toBeGreaterThanOrEqual(before0.length - 1);
        }),
        { numRuns: 60, seed: 16 },
      );
    });
  }, 120_000);
});

