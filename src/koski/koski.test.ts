import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Warehouse } from '../db/warehouse.js';
import { caught, expectKiinniError } from '../testing/errors.js';
import { koskiDocument, lukioCourses, osaAlue, testIdentityCode, unit, vocational } from '../testing/koski.js';
import { tempDir } from '../testing/temp-dir.js';
import { testEffects, withWarehouse } from '../testing/warehouse.js';
import { containsIdentityCode } from '../ingest/index.js';
import { ingestKoski, pseudonymiser, type KoskiIngestResult } from './index.js';

const key = { KIINNI_PSEUDONYM_KEY: 'a-test-key-of-enough-length' };
const pseudonyms = pseudonymiser(key);
const hetu = testIdentityCode('150405', 'A', 931); // born 2005, odd: registered male
const personOid = '1.2.246.562.24.00000000931';

async function load(db: Warehouse, docs: unknown[], opts: { names?: boolean; format?: 'pretty' | 'jsonl' } = {}): Promise<KoskiIngestResult> {
  const dir = tempDir();
  const file = path.join(dir, opts.format === 'jsonl' ? 'export.jsonl' : 'export.json');
  writeFileSync(file, opts.format === 'jsonl' ? docs.map((d) => JSON.stringify(d)).join('\n') + '\n' : JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2));
  return ingestKoski(db, file, { pseudonyms, names: opts.names ?? false }, testEffects);
}

const events = (db: Warehouse) => db.all(`SELECT student_id, strftime(date, '%Y-%m-%d') AS date, event FROM study_right_events ORDER BY student_id, date, event`);

async function dump(db: Warehouse): Promise<string> {
  const tables = await db.all(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' AND table_name NOT IN ('ingest_log', 'quarantine')`);
  let out = '';
  for (const t of tables) out += JSON.stringify(await db.all(`SELECT * FROM "${String(t['table_name'])}"`));
  return out.toLowerCase();
}

describe('KOSKI documents in (#17)', () => {
  it('maps states by position: start, pause, resume and graduation; nothing identifying is stored', async () => {
    await withWarehouse(async (db) => {
      const doc = koskiDocument({ hetu, oid: personOid, given: 'Aava', family: 'Esimerkkinen', language: 'SV' }, [
        vocational({ start: '2022-08-15', planned: '2025-05-31', oid: '1.2.246.562.15.00000000001', states: [['2022-08-15', 'lasna'], ['2023-01-09', 'valiaikaisestikeskeytynyt'], ['2023-03-01', 'lasna'], ['2023-08-01', 'lasna'], ['2025-05-30', 'valmistunut']], units: [unit('106915', 25, { grade: '4', date: '2023-05-20' })] }),
      ]);
      const r = await load(db, [doc]);
      expect(r).toMatchObject({ status: 'loaded', rows_quarantined: 0 });
      expect((await events(db)).map((e) => [e['date'], e['event']])).toEqual([['2022-08-15', 'started'], ['2023-01-09', 'paused'], ['2023-03-01', 'resumed'], ['2025-05-30', 'graduated']]);
      const s = (await db.one(`SELECT * FROM students`))!;
      expect(s).toMatchObject({ education_type: 'vocational', unit: 'Testin ammattiopisto, Pasila', programme: '351101', birth_year: 2005, gender: 'male', home_language: 'sv', admission_route: 'unknown', group: null, given_name: null });
      expect(String(s['student_id'])).toMatch(/^K[g-v]{15}$/);
      expect(String(s['person_key'])).toMatch(/^P[g-v]{15}$/);
      const all = await dump(db);
      for (const secret of [hetu.toLowerCase(), personOid, '1.2.246.562.15.00000000001', 'aava', 'esimerkkinen']) expect(all).not.toContain(secret);
      // The same export again changes nothing; the same key gives the same pseudonyms.
      expect((await load(db, [doc])).status).toBe('unchanged');
      expect(Number((await db.one(`SELECT count(*) AS n FROM students`))!['n'])).toBe(1);
    });
  });

  it('drops mitätöity and peruutettu study rights whole, with their courses, and skips other types by type', async () => {
    await withWarehouse(async (db) => {
      const doc = koskiDocument({ hetu }, [
        vocational({ start: '2023-08-01', states: [['2023-08-01', 'lasna'], ['2023-09-01', 'mitatoity']], units: [unit('106915', 25, { grade: '3', date: '2023-08-20' })] }),
        vocational({ start: '2023-08-02', states: [['2023-08-02', 'peruutettu']] }),
        vocational({ start: '2023-08-03', states: [['2023-08-03', 'lasna']], type: 'tuva' }),
        vocational({ start: '2023-08-04', states: [['2023-08-04', 'lasna']] }),
      ]);
      const r = await load(db, [doc]);
      expect(r.counts).toMatchObject({ students: 1, dropped: { mitatoity: 1, peruutettu: 1 }, skipped_by_type: { tuva: 1 } });
      expect(Number((await db.one(`SELECT count(*) AS n FROM course_progress`))!['n'])).toBe(0);
    });
  });

  it('a transfer to new requirements and an eronnut followed by a new study right are transfers, not dropouts; same-day double study rights stay two', async () => {
    await withWarehouse(async (db) => {
      const doc = koskiDocument({ hetu }, [
        vocational({ start: '2021-08-10', states: [['2021-08-10', 'lasna'], ['2022-07-31', 'katsotaaneronneeksi']], lisätiedot: { siirtynytUusiinTutkinnonPerusteisiin: true } }),
        vocational({ start: '2022-08-01', states: [['2022-08-01', 'lasna'], ['2023-01-15', 'eronnut']] }),
        vocational({ start: '2023-01-16', states: [['2023-01-16', 'lasna']] }),
        vocational({ start: '2023-01-16', states: [['2023-01-16', 'lasna']], sourceId: 'primus-42' }),
        vocational({ start: '2019-08-10', states: [['2019-08-10', 'lasna'], ['2020-12-31', 'katsotaaneronneeksi']] }),
      ]);
      const r = await load(db, [doc]);
      expect(r.counts.transfers).toEqual({ new_requirements: 1, new_study_right: 1 });
      const byEvent = (await events(db)).map((e) => e['event']);
      expect(byEvent.filter((e) => e === 'transferred')).toHaveLength(2);
      expect(byEvent.filter((e) => e === 'deemed_resigned')).toHaveLength(1);
      expect(byEvent).not.toContain('resigned');
      const ids = (await db.all(`SELECT student_id, person_key FROM students ORDER BY student_id`)).map((x) => String(x['student_id']));
      expect(ids).toHaveLength(5);
      expect(ids).toContain('primus-42'); // the register's own id, so it joins its attendance export
      expect(new Set((await db.all(`SELECT DISTINCT person_key FROM students`)).map((x) => x['person_key'])).size).toBe(1);
    });
  });

  it('courses: repeated codes kept apart, osa-alueet instead of their common unit, missing laajuus and evaluation counted, kurssi = 2 op', async () => {
    await withWarehouse(async (db) => {
      const voc = vocational({
        start: '2022-08-15', states: [['2022-08-15', 'lasna']],
        units: [
          unit('101053', 15, { grade: '3', date: '2023-05-01' }),
          unit('101053', 15, { grade: '2', date: '2023-06-01' }),
          unit('400012', 11, undefined, [osaAlue('VVAI22', 4, { grade: '4', date: '2023-02-01' }), osaAlue('VVAI22', 2), osaAlue('VVTL', 5, { grade: '3', date: '2023-03-01' })]),
          unit('106000', null, { grade: '1', date: '2023-04-01', passed: false }),
        ],
      });
      const lukio = lukioCourses({
        start: '2021-08-11', states: [['2021-08-11', 'lasna']],
        subjects: [
          { code: 'MA', courses: [{ code: 'MAA1', grade: '8', date: '2021-10-20' }, { code: 'VKA1', grade: '4', date: '2021-12-10' }] },
          { code: 'FY', courses: [{ code: 'VKA1', grade: '9', date: '2022-01-10' }, { code: 'FY1' }] },
        ],
      });
      const r = await load(db, [koskiDocument({ hetu }, [voc]), koskiDocument({ hetu: testIdentityCode('010203', 'B', 944) }, [lukio])], { format: 'jsonl' });
      expect(r).toMatchObject({ status: 'loaded', rows_quarantined: 0 });
      const rows = await db.all(`SELECT course_id, credits, status, grade FROM course_progress ORDER BY course_id`);
      expect(rows).toEqual([
        { course_id: '101053', credits: 15, status: 'completed', grade: '3' },
        { course_id: '101053#2', credits: 15, status: 'completed', grade: '2' },
        { course_id: '106000', credits: null, status: 'failed', grade: '1' },
        { course_id: '400012/VVAI22', credits: 4, status: 'completed', grade: '4' },
        { course_id: '400012/VVAI22#2', credits: 2, status: 'in_progress', grade: null },
        { course_id: '400012/VVTL', credits: 5, status: 'completed', grade: '3' },
        { course_id: 'FY/FY1', credits: 2, status: 'in_progress', grade: null },
        { course_id: 'FY/VKA1', credits: 2, status: 'completed', grade: '9' },
        { course_id: 'MA/MAA1', credits: 2, status: 'completed', grade: '8' },
        { course_id: 'MA/VKA1', credits: 2, status: 'failed', grade: '4' },
      ]);
      expect(r.counts).toMatchObject({ courses: 10, courses_without_credits: 1, courses_in_progress: 2, repeated_course_codes: 2, credits_in_kurssi: 4 });
      // Lukio without an estimated end: the syllabus's three years.
      expect((await db.one(`SELECT strftime(planned_end, '%Y-%m-%d') AS d FROM students WHERE education_type = 'upper_secondary'`))!['d']).toBe('2024-08-10');
    });
  });

  it('a document without an identity code loads by its OID; names only when asked, never under turvakielto', async () => {
    await withWarehouse(async (db) => {
      const plain = koskiDocument({ hetu: null, oid: personOid, given: 'Ilona', family: 'Nimellinen' }, [vocational({ start: '2024-08-12', states: [['2024-08-12', 'lasna']] })]);
      const hidden = koskiDocument({ hetu, given: 'Salla', family: 'Suojattu', turvakielto: true }, [vocational({ start: '2024-08-13', states: [['2024-08-13', 'lasna']] })]);
      const r = await load(db, [plain, hidden], { names: true });
      expect(r).toMatchObject({ status: 'loaded', rows_quarantined: 0 });
      const names = await db.all(`SELECT given_name, family_name, birth_year FROM students ORDER BY given_name NULLS LAST`);
      expect(names).toEqual([{ given_name: 'Ilona', family_name: 'Nimellinen', birth_year: null }, { given_name: null, family_name: null, birth_year: 2005 }]);
      expect(await dump(db)).not.toContain('suojattu');
    });
  });

  it('no pseudonym ever spells an identity code (letters only), so ingest never refuses kiinni\'s own ids', () => {
    for (let i = 0; i < 50_000; i++) expect(containsIdentityCode(pseudonyms.of('K', `oo:${i}`))).toBe(false);
  });

  it('refuses without the pseudonym key, and refuses a file that is not KOSKI documents, loading nothing', async () => {
    expectKiinniError(await caught(() => pseudonymiser({})), { code: 'CONFIG_INVALID', message: /KIINNI_PSEUDONYM_KEY/ });
    await withWarehouse(async (db) => {
      const r = await load(db, [{ something: 'else' }]);
      expect(r.status).toBe('refused');
      expect(r.message).toMatch(/not a KOSKI Oppija document/);
      expect(Number((await db.one(`SELECT count(*) AS n FROM students`))!['n'])).toBe(0);
    });
  });
});
