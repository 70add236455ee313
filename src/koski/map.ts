import { addDays, isCalendarDate } from '../core/dates.js';
import type { Pseudonymiser } from './pseudonym.js';

/**
 * One KOSKI Oppija document (`{"henkilö": …, "opiskeluoikeudet": […]}`) as kiinni's canonical
 * rows: one student per ammatillinen or lukio study right, its states as study-right events, its
 * osasuoritukset as course progress. Nothing that identifies a person is kept: ids are keyed
 * pseudonyms, the identity code gives only a birth year and the registered gender (in memory),
 * names only when the provider opts in and never under turvakielto. Shapes from KOSKI's schema
 * classes (Opetushallitus/koski, src/main/scala/fi/oph/koski/schema/).
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const code = (v: unknown): string | undefined => str(obj(v)['koodiarvo']);
const day = (v: unknown): string | undefined => (typeof v === 'string' && isCalendarDate(v) ? v : undefined);

/** Study-right types kiinni follows; the rest (TUVA, LUVA, perusopetus …) are skipped and counted. */
export const followedTypes: Record<string, 'vocational' | 'upper_secondary'> = { ammatillinenkoulutus: 'vocational', lukiokoulutus: 'upper_secondary' };

export interface StudentRow {
  student_id: string;
  person_key: string | null;
  unit: string;
  programme: string | null;
  education_type: 'vocational' | 'upper_secondary';
  group: null;
  study_right_start: string | null;
  planned_end: string | null;
  birth_year: number | null;
  gender: 'female' | 'male' | 'unknown';
  home_language: string;
  admission_route: 'unknown';
  first_choice: null;
  prior_gpa: null;
  prior_special_support: 'unknown';
  prior_interruptions: null;
  lives_independently: null;
  given_name: string | null;
  family_name: string | null;
}
export interface EventRow {
  student_id: string;
  date: string;
  event: string;
  reason: string;
}
export interface CourseRow {
  student_id: string;
  course_id: string;
  credits: number | null;
  planned_start: null;
  planned_end: null;
  status: 'in_progress' | 'completed' | 'failed';
  grade: string | null;
  completed_on: string | null;
  updated_at: string;
}

/** What was made of the documents, for the summary (`kiinni ingest koski --json`). */
export interface KoskiCounts {
  documents: number;
  study_rights: number;
  students: number;
  skipped_by_type: Record<string, number>;
  dropped: { mitatoity: number; peruutettu: number };
  events_by_kind: Record<string, number>;
  transfers: { new_requirements: number; new_study_right: number };
  states_not_mapped: Record<string, number>;
  courses: number;
  courses_in_progress: number;
  courses_without_credits: number;
  courses_evaluated_without_date: number;
  courses_dated_by_certificate: number;
  repeated_course_codes: number;
  credits_in_kurssi: number;
  without_identity: number;
}

export function emptyCounts(): KoskiCounts {
  return {
    documents: 0, study_rights: 0, students: 0, skipped_by_type: {}, dropped: { mitatoity: 0, peruutettu: 0 }, events_by_kind: {}, transfers: { new_requirements: 0, new_study_right: 0 },
    states_not_mapped: {}, courses: 0, courses_in_progress: 0, courses_without_credits: 0, courses_evaluated_without_date: 0, courses_dated_by_certificate: 0, repeated_course_codes: 0, credits_in_kurssi: 0, without_identity: 0,
  };
}

const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

/** Birth year and registered gender from an identity code (DDMMYY, century sign, NNN, check). */
function fromIdentityCode(hetu: string | undefined): { year: number | null; gender: 'female' | 'male' | 'unknown' } {
  const m = hetu ? /^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})[0-9A-Y]$/i.exec(hetu) : null;
  if (!m) return { year: null, gender: 'unknown' };
  const sign = m[4]!.toUpperCase();
  const century = sign === '+' ? 1800 : /[A-F]/.test(sign) ? 2000 : 1900;
  return { year: century + Number(m[3]), gender: Number(m[5]) % 2 === 1 ? 'male' : 'female' };
}

/** Credits of a module in the student's own unit: osaamispiste and opintopiste as they are, a LOPS 2015 kurssi as 2 op. */
function creditsOf(module: Json, counts: KoskiCounts): number | null {
  const laajuus = obj(module['laajuus']);
  const value = laajuus['arvo'];
  if (typeof value !== 'number') return null;
  const unit = code(laajuus['yksikkö']);
  if (unit === '4') {
    counts.credits_in_kurssi++;
    return value * 2; // 1 kurssi = 2 op (lukio 2019 curriculum conversion)
  }
  return value;
}

const scaleNames: Record<string, Record<string, string>> = { arviointiasteikkoammatillinent1k3: { '1': 'T1', '2': 'H2', '3': 'K3' } };

/** The latest evaluation by date (array order among undated ones): status, grade and date. */
function evaluation(node: Json): { status: 'in_progress' | 'completed' | 'failed'; grade: string | null; date: string | null; undated: boolean } {
  const list = arr(node['arviointi']).map(obj);
  if (!list.length) return { status: 'in_progress', grade: null, date: null, undated: false };
  const dated = list.filter((a) => day(a['päivä']));
  const latest = dated.length ? dated.reduce((a, b) => (String(b['päivä']) >= String(a['päivä']) ? b : a)) : list[list.length - 1]!;
  const grade = obj(latest['arvosana']);
  const scale = str(grade['koodistoUri']) ?? '';
  const value = str(grade['koodiarvo']) ?? null;
  // KOSKI says hyväksytty on every evaluation; should it be missing, the failing grades decide (4 and H on the 4–10 scale, Hylätty, 0).
  const passed = typeof latest['hyväksytty'] === 'boolean' ? latest['hyväksytty'] : !['4', 'H', 'Hylätty', '0'].includes(value ?? '');
  return { status: passed ? 'completed' : 'failed', grade: value === null ? null : (scaleNames[scale]?.[value] ?? value).slice(0, 10), date: day(latest['päivä']) ?? null, undated: !dated.length };
}

/**
 * The course rows under one main completion (päätason suoritus): a node's children stand for it
 * when any child carries credits (lukio subjects → courses or modules, a common vocational unit →
 * its osa-alueet), otherwise the node itself does — so credits are never counted twice. The id is
 * the path of codes (VKA1 under two subjects stays two courses); a code repeated under one parent
 * gets #2, #3.
 */
function courseRows(studentId: string, top: Json, certificate: string | undefined, updatedAt: string, counts: KoskiCounts, seen: Map<string, number>): CourseRow[] {
  const rows: CourseRow[] = [];
  const emit = (node: Json, path: string) => {
    const module = obj(node['koulutusmoduuli']);
    let id = path;
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    if (n > 1) {
      id = `${path}#${n}`;
      counts.repeated_course_codes++;
    }
    const e = evaluation(node);
    const credits = creditsOf(module, counts);
    if (credits === null) counts.courses_without_credits++;
    let date = e.date;
    let status = e.status;
    if (e.undated && status !== 'in_progress') {
      // Evaluated but undated: the certificate's date when there is one, otherwise counted and left in progress.
      const cert = day(obj(node['vahvistus'])['päivä']) ?? certificate;
      if (cert) {
        date = cert;
        counts.courses_dated_by_certificate++;
      } else {
        counts.courses_evaluated_without_date++;
        status = 'in_progress';
      }
    }
    if (status === 'in_progress') counts.courses_in_progress++;
    counts.courses++;
    // The row changed when it was evaluated. An unevaluated one says nothing new since the study
    // right began (`updatedAt` is its start), so a register's plan of the same unit is newer.
    rows.push({ student_id: studentId, course_id: id.slice(0, 100), credits, planned_start: null, planned_end: null, status, grade: status === 'in_progress' ? null : e.grade, completed_on: status === 'completed' ? date : null, updated_at: status !== 'in_progress' && date ? `${date}T00:00:00` : updatedAt });
  };
  const walk = (node: Json, path: string) => {
    const children = arr(node['osasuoritukset']).map(obj);
    const childCredits = children.some((c) => typeof obj(obj(c['koulutusmoduuli'])['laajuus'])['arvo'] === 'number');
    const ownCredits = typeof obj(obj(node['koulutusmoduuli'])['laajuus'])['arvo'] === 'number';
    if (children.length && (childCredits || !ownCredits)) {
      for (const c of children) walk(c, `${path}/${code(obj(c['koulutusmoduuli'])['tunniste']) ?? 'x'}`);
    } else emit(node, path);
  };
  for (const part of arr(top['osasuoritukset']).map(obj)) walk(part, code(obj(part['koulutusmoduuli'])['tunniste']) ?? 'x');
  return rows;
}

/**
 * Maps one document. `names`: keep kutsumanimi and sukunimi (never under turvakielto). Each study
 * right kiinni follows becomes one student: `student_id` is the register's own id
 * (lähdejärjestelmänId.id) when it is a valid id — so it joins the register's attendance export —
 * else a keyed pseudonym of the opiskeluoikeus OID, or (documents as sent to KOSKI carry none) of
 * the person, the oppilaitos, the type and the start date. `person_key` links one person's study
 * rights: a pseudonym of the oppija OID, else of the identity code.
 */
export function mapDocument(doc: unknown, p: Pseudonymiser, opts: { names: boolean }, counts: KoskiCounts): { students: StudentRow[]; events: EventRow[]; courses: CourseRow[] } {
  counts.documents++;
  const d = obj(doc);
  const person = obj(d['henkilö']);
  const hetu = str(person['hetu']);
  const oid = str(person['oid']);
  const personId = oid ? `oid:${oid}` : hetu ? `hetu:${hetu.toUpperCase()}` : undefined;
  if (!personId) counts.without_identity++;
  const personKey = personId ? p.of('P', personId) : null;
  const fromCode = fromIdentityCode(hetu);
  const born = day(person['syntymäaika']);
  const birthYear = fromCode.year ?? (born ? Number(born.slice(0, 4)) : null);
  const language = code(person['äidinkieli'])?.toLowerCase();
  const showNames = opts.names && person['turvakielto'] !== true;

  const out = { students: [] as StudentRow[], events: [] as EventRow[], courses: [] as CourseRow[] };
  const rights = arr(d['opiskeluoikeudet']).map(obj);
  // Kept study rights with their start, for the "eronnut, then a new study right" rule.
  const kept: { id: string; start: string }[] = [];
  const pending: { id: string; date: string; index: number }[] = [];
  for (const [index, sr] of rights.entries()) {
    counts.study_rights++;
    const type = code(sr['tyyppi']) ?? 'unknown';
    const educationType = followedTypes[type];
    if (!educationType) {
      bump(counts.skipped_by_type, type);
      continue;
    }
    const periods = arr(obj(sr['tila'])['opiskeluoikeusjaksot']).map(obj).filter((j) => day(j['alku'])).sort((a, b) => String(a['alku']).localeCompare(String(b['alku'])));
    const states = periods.map((j) => code(j['tila']) ?? '');
    // Entered in error or cancelled before starting: not a study right at all, courses and all.
    if (states.includes('mitatoity') || states.includes('peruutettu')) {
      counts.dropped[states.includes('mitatoity') ? 'mitatoity' : 'peruutettu']++;
      continue;
    }
    const start = day(sr['alkamispäivä']) ?? (periods[0] ? String(periods[0]['alku']) : null);
    const sourceId = str(obj(sr['lähdejärjestelmänId'])['id']);
    const school = str(obj(sr['oppilaitos'])['oid']) ?? '';
    const studentId =
      sourceId && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(sourceId)
        ? sourceId
        : str(sr['oid'])
          ? p.of('K', `oo:${String(sr['oid'])}`)
          : p.of('K', `sr:${personId ?? `doc:${counts.documents}`}`, school, type, start ?? '', String(index));
    const tops = arr(sr['suoritukset']).map(obj);
    const top = tops[0] ?? {};
    // The unit by name (toimipiste, else oppilaitos), else by oppilaitosnumero; never an OID.
    const schoolNumber = code(obj(sr['oppilaitos'])['oppilaitosnumero']);
    const unit = str(obj(obj(top['toimipiste'])['nimi'])['fi']) ?? str(obj(obj(sr['oppilaitos'])['nimi'])['fi']) ?? (schoolNumber ? `oppilaitos ${schoolNumber}` : 'unknown');
    const programme = code(obj(top['koulutusmoduuli'])['tunniste']) ?? null;
    let plannedEnd = day(sr['arvioituPäättymispäivä']) ?? null;
    // Lukio: the syllabus's normal duration is three years (Lukiolaki 714/2018, 23 §).
    if (!plannedEnd && educationType === 'upper_secondary' && start) plannedEnd = addDays(`${Number(start.slice(0, 4)) + 3}${start.slice(4)}`, -1);
    out.students.push({
      student_id: studentId, person_key: personKey, unit: unit.slice(0, 100), programme, education_type: educationType, group: null,
      study_right_start: start, planned_end: plannedEnd && start && plannedEnd < start ? null : plannedEnd, birth_year: birthYear, gender: fromCode.gender,
      home_language: language && /^[a-z]{2}$/.test(language) ? language : 'unknown', admission_route: 'unknown', first_choice: null, prior_gpa: null,
      prior_special_support: 'unknown', prior_interruptions: null, lives_independently: null,
      given_name: showNames ? (str(person['kutsumanimi']) ?? null) : null, family_name: showNames ? (str(person['sukunimi']) ?? null) : null,
    });
    counts.students++;
    if (start) kept.push({ id: studentId, start });

    // States by position (DOMAIN.md): the first lasna starts, a lasna after a pause resumes.
    const newRequirements = obj(sr['lisätiedot'])['siirtynytUusiinTutkinnonPerusteisiin'] === true;
    let previous = '';
    for (const j of periods) {
      const state = code(j['tila']) ?? '';
      const date = String(j['alku']);
      let event: string | undefined;
      if (state === 'lasna') event = !previous ? 'started' : previous === 'loma' || previous === 'valiaikaisestikeskeytynyt' ? 'resumed' : undefined;
      else if (state === 'loma' || state === 'valiaikaisestikeskeytynyt') event = previous === state ? undefined : 'paused';
      else if (state === 'eronnut') {
        event = 'resigned';
        pending.push({ id: studentId, date, index: out.events.length });
      } else if (state === 'katsotaaneronneeksi') {
        event = newRequirements ? 'transferred' : 'deemed_resigned';
        if (newRequirements) counts.transfers.new_requirements++;
      } else if (state === 'valmistunut' || state === 'hyvaksytystisuoritettu') event = 'graduated';
      else bump(counts.states_not_mapped, state || 'unknown');
      if (event) out.events.push({ student_id: studentId, date, event, reason: `koski:${state}` });
      previous = state;
    }
    const updatedAt = `${start ?? periods[0]?.['alku'] ?? '1990-01-01'}T00:00:00`;
    const certificate = day(obj(top['vahvistus'])['päivä']) ?? day(sr['päättymispäivä']);
    // One map of seen ids per study right: a code under two main completions stays two rows.
    const seen = new Map<string, number>();
    for (const t of tops) out.courses.push(...courseRows(studentId, t, certificate, updatedAt, counts, seen));
  }
  // Policy: eronnut followed within 30 days by a new study right of the same person here is a transfer, not a dropout.
  for (const r of pending) {
    if (kept.some((k) => k.id !== r.id && k.start >= addDays(r.date, -30) && k.start <= addDays(r.date, 30))) {
      out.events[r.index]!.event = 'transferred';
      counts.transfers.new_study_right++;
    }
  }
  for (const e of out.events) bump(counts.events_by_kind, e.event);
  return out;
}
