import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { literal } from '../db/sql.js';
import { Warehouse } from '../db/warehouse.js';
import { Random } from '../core/random.js';

/**
 * Writes a generated cohort's students, study-right events and course progress (the CSVs in
 * `out`) as KOSKI Oppija documents, the way a provider's bulk export (massaluovutus) delivers
 * them: one JSON file per person in `dir` (default `<out>/koski/`), with fictitious identity codes (individual numbers 900–999, the
 * range of temporary codes, valid check character) and OIDs of the real shapes, and the
 * register's own id (`lähdejärjestelmänId`) equal to the CSV route's student_id, so both routes
 * give the same students. Background that KOSKI does not hold (admission route, first choice,
 * prior support, group …) is left out: that is the point of the comparison.
 *
 * Event encoding: started → lasna; paused → valiaikaisestikeskeytynyt; resumed → lasna; resigned
 * → eronnut; deemed_resigned → katsotaaneronneeksi; transferred → katsotaaneronneeksi with
 * lisätiedot.siirtynytUusiinTutkinnonPerusteisiin (the generator's transfers leave for other
 * degree-leading education); graduated → valmistunut. A course planned or interrupted has no
 * evaluation (KOSKI knows neither state).
 */
export async function writeKoskiExport(out: string, seed: number, dir = path.join(out, 'koski')): Promise<{ dir: string; documents: number }> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rng = new Random(seed, 0x6b05);
  const db = await Warehouse.open(':memory:');
  let documents = 0;
  try {
    const csv = (kind: string) => literal(path.join(out, `${kind}.csv`));
    await db.run(`CREATE TABLE k_students AS SELECT * FROM read_csv(${csv('students')}, header = true, delim = ',', quote = '"', all_varchar = true)`);
    await db.run(`CREATE TABLE k_events AS SELECT *, row_number() OVER () AS n FROM read_csv(${csv('study_right_events')}, header = true, delim = ',', quote = '"', all_varchar = true)`);
    await db.run(`CREATE TABLE k_courses AS SELECT * FROM read_csv(${csv('course_progress')}, header = true, delim = ',', quote = '"', all_varchar = true)`);
    const ids = (await db.all(`SELECT student_id FROM k_students ORDER BY student_id`)).map((r) => String(r['student_id']));
    for (let i = 0; i < ids.length; i += 2000) {
      const chunk = ids.slice(i, i + 2000);
      const list = chunk.map(literal).join(', ');
      const students = await db.all(`SELECT * FROM k_students WHERE student_id IN (${list}) ORDER BY student_id`);
      const events = await db.all(`SELECT student_id, date, event FROM k_events WHERE student_id IN (${list}) ORDER BY student_id, date, n`);
      const courses = await db.all(`SELECT * FROM k_courses WHERE student_id IN (${list}) ORDER BY student_id, course_id`);
      const byStudent = <T extends Record<string, unknown>>(rows: T[]) => {
        const m = new Map<string, T[]>();
        for (const r of rows) (m.get(String(r['student_id'])) ?? m.set(String(r['student_id']), []).get(String(r['student_id']))!).push(r);
        return m;
      };
      const ev = byStudent(events);
      const co = byStudent(courses);
      for (const s of students) {
        const id = String(s['student_id']);
        writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(koskiDocumentOf(s, ev.get(id) ?? [], co.get(id) ?? [], rng, ++documents)));
      }
    }
  } finally {
    db.close();
  }
  return { dir, documents };
}

const koodi = (koodiarvo: string, koodistoUri: string) => ({ koodiarvo, koodistoUri });
const state: Record<string, string> = { started: 'lasna', paused: 'valiaikaisestikeskeytynyt', resumed: 'lasna', resigned: 'eronnut', deemed_resigned: 'katsotaaneronneeksi', transferred: 'katsotaaneronneeksi', graduated: 'valmistunut' };

function fictitiousIdentityCode(birthYear: number, gender: string, rng: Random): string {
  const dd = String(rng.int(1, 28)).padStart(2, '0');
  const mm = String(rng.int(1, 12)).padStart(2, '0');
  const yy = String(birthYear % 100).padStart(2, '0');
  const sign = birthYear >= 2000 ? 'A' : '-';
  let n = rng.int(900, 998);
  // Registered gender: odd individual number male, even female.
  if ((gender === 'male') !== (n % 2 === 1)) n++;
  const nnn = String(n);
  return `${dd}${mm}${yy}${sign}${nnn}${'0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(dd + mm + yy + nnn) % 31]}`;
}

function koskiDocumentOf(s: Record<string, unknown>, events: Record<string, unknown>[], courses: Record<string, unknown>[], rng: Random, n: number): unknown {
  const vocational = s['education_type'] === 'vocational';
  const digits = (k: number) => String(10_000_000_000 + k * 7919).slice(-11);
  const transfer = events.some((e) => e['event'] === 'transferred');
  const last = [...events.map((e) => String(e['date'])), ...courses.map((c) => String(c['updated_at']).slice(0, 10))].sort().at(-1) ?? String(s['study_right_start']);
  return {
    henkilö: {
      oid: `1.2.246.562.24.${digits(n)}`,
      hetu: fictitiousIdentityCode(Number(s['birth_year']), String(s['gender']), rng),
      etunimet: s['given_name'] ?? 'Testi',
      kutsumanimi: s['given_name'] ?? 'Testi',
      sukunimi: s['family_name'] ?? 'Koekäyttäjä',
      äidinkieli: koodi(String(s['home_language']).toUpperCase(), 'kieli'),
    },
    opiskeluoikeudet: [
      {
        oid: `1.2.246.562.15.${digits(n)}`,
        versionumero: 1,
        aikaleima: `${last}T02:00:00.000000`,
        lähdejärjestelmänId: { id: s['student_id'], lähdejärjestelmä: koodi('primus', 'lahdejarjestelma') },
        oppilaitos: { oid: '1.2.246.562.10.00000000001', nimi: { fi: 'Kiinnin koulutuskuntayhtymä' } },
        ...(s['planned_end'] && vocational ? { arvioituPäättymispäivä: s['planned_end'] } : {}),
        tila: { opiskeluoikeusjaksot: events.filter((e) => state[String(e['event'])]).map((e) => ({ alku: e['date'], tila: koodi(state[String(e['event'])]!, 'koskiopiskeluoikeudentila'), opintojenRahoitus: koodi('1', 'opintojenrahoitus') })) },
        ...(transfer ? { lisätiedot: { siirtynytUusiinTutkinnonPerusteisiin: true } } : {}),
        tyyppi: koodi(vocational ? 'ammatillinenkoulutus' : 'lukiokoulutus', 'opiskeluoikeudentyyppi'),
        alkamispäivä: s['study_right_start'],
        suoritukset: [
          {
            koulutusmoduuli: { tunniste: koodi(String(s['programme']), 'koulutus') },
            toimipiste: { oid: '1.2.246.562.10.00000000002', nimi: { fi: s['unit'] } },
            suorituskieli: koodi('FI', 'kieli'),
            tyyppi: koodi(vocational ? 'ammatillinentutkinto' : 'lukionoppimaara2019', 'suorituksentyyppi'),
            osasuoritukset: courses.map((c) => {
              const status = String(c['status']);
              const evaluated = status === 'completed' || status === 'failed';
              const day = String(c['completed_on'] || String(c['updated_at']).slice(0, 10));
              return {
                koulutusmoduuli: { tunniste: koodi(String(c['course_id']), vocational ? 'tutkinnonosat' : 'moduulikoodistolops2021'), laajuus: { arvo: Number(c['credits']), yksikkö: koodi(vocational ? '6' : '2', 'opintojenlaajuusyksikko') } },
                ...(evaluated ? { arviointi: [{ arvosana: koodi(String(c['grade'] || (status === 'completed' ? 'S' : 'H')), vocational ? 'arviointiasteikkoammatillinen15' : 'arviointiasteikkoyleissivistava'), päivä: day, hyväksytty: status === 'completed' }] } : {}),
                tyyppi: koodi(vocational ? 'ammatillisentutkinnonosa' : 'lukionvaltakunnallinenmoduuli', 'suorituksentyyppi'),
              };
            }),
          },
        ],
      },
    ],
  };
}
