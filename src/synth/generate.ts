import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import { literal } from '../db/sql.js';
import { Warehouse } from '../db/warehouse.js';
import { contracts, type ContractKind } from '../ingest/index.js';
import { formatDay, parseDay, yearOf, monthOf } from './calendar.js';
import { CsvWriter } from './csv-writer.js';
import { Random } from '../core/random.js';
import { simulateStudent, type Cell, type CohortWindow, type RowOut } from './simulate.js';
import { ProviderStructure } from './structure.js';

export interface GenerateOptions {
  students: number;
  seed: number;
  out: string;
  /** First day of the simulated window, 'YYYY-MM-DD'. */
  start: string;
  years: number;
  format: 'csv' | 'parquet';
  /** Share of rows after which a faulty row is injected (0 = clean). */
  dirty: number;
  /** Simulate a check-in programme at bottlenecks from this date ('YYYY-MM-DD'); off if absent. */
  checkinProgramme?: string | undefined;
}

export interface GenerateEffects {
  logger: Logger;
  /** Called now and then with students done so far. */
  progress?: (done: number, total: number) => void;
}

/** `kiinni fixtures generate --json`. */
export interface GenerateResult {
  out: string;
  students: number;
  seed: number;
  window: { start: string; export_date: string };
  /** The files written; `koski` is the directory of KOSKI documents (--format koski). */
  files: { kind: ContractKind | 'koski'; file: string; rows: number }[];
  truth_dir: string;
  /** The check-in programme's log (checkins/candidates.csv, checkins/plans.csv), when simulated. */
  checkin_programme: { from: string; candidates: number; plans: number } | null;
  faults: { quarantined_rows_expected: number; refused_files_expected: number };
  seconds: number;
}

const exportKinds: ContractKind[] = ['staff', 'students', 'assignments', 'study_right_events', 'course_progress', 'attendance', 'wellbeing', 'interventions'];

type Fault = { kind: ContractKind; make: (row: RowOut, n: number) => RowOut[]; name: string; rows: number };

/** Faults injected after a good row (fresh keys, so no other row is affected), per kind. */
const faults: Partial<Record<ContractKind, Fault[]>> = {
  attendance: [
    { kind: 'attendance', name: 'bad_date', rows: 1, make: (r) => [[r[0]!, `${String(r[1]).slice(0, 4)}-02-30`, ...r.slice(2)]] },
    { kind: 'attendance', name: 'decimal_comma_in_integer', rows: 1, make: (r) => [[r[0]!, sunday(r[1]!), r[2]!, '1,5', r[4]!, r[5]!]] },
    { kind: 'attendance', name: 'unknown_student', rows: 1, make: (r, n) => [[`S9${String(n).padStart(7, '0')}`, ...r.slice(1)]] },
    { kind: 'attendance', name: 'out_of_range', rows: 1, make: (r) => [[r[0]!, sunday(r[1]!), 999, r[3]!, r[4]!, r[5]!]] },
    { kind: 'attendance', name: 'missing_value', rows: 1, make: (r) => [[r[0]!, sunday(r[1]!), r[2]!, r[3]!, null, r[5]!]] },
    { kind: 'attendance', name: 'duplicate_row', rows: 2, make: (r) => [r] },
  ],
  wellbeing: [
    { kind: 'wellbeing', name: 'out_of_range', rows: 1, make: (r) => [[r[0]!, `${String(r[1]).slice(0, 10)} 03:17:00`, r[2]!, r[3]!, 9, r[5]!, r[6]!]] },
    { kind: 'wellbeing', name: 'unknown_enum', rows: 1, make: (r) => [[r[0]!, `${String(r[1]).slice(0, 10)} 03:18:00`, r[2]!, r[3]!, 3, true, 'money']] },
  ],
  course_progress: [
    { kind: 'course_progress', name: 'unknown_enum', rows: 1, make: (r, n) => [[r[0]!, `X-FAULT-${n}`, r[2]!, r[3]!, r[4]!, 'done', null, null, r[8]!]] },
    { kind: 'course_progress', name: 'end_before_start', rows: 1, make: (r, n) => [[r[0]!, `X-FAULT-${n}`, r[2]!, r[4]!, r[3]!, 'planned', null, null, r[8]!]] },
  ],
  students: [
    { kind: 'students', name: 'unknown_enum', rows: 1, make: (r, n) => [[`SX${String(n).padStart(6, '0')}`, r[1]!, r[2]!, 'vokational', ...r.slice(4)]] },
    { kind: 'students', name: 'out_of_range', rows: 1, make: (r, n) => [[`SY${String(n).padStart(6, '0')}`, ...r.slice(1, 12), 11, ...r.slice(13)]] },
  ],
};

/**
 * A made-up personal identity code for the dirty variant: built at run time (so no code-shaped
 * text sits in the source), individual number 900–999 (the range of temporary codes), valid
 * check character, so ingest must refuse it exactly as it would a real one.
 */
function syntheticIdentityCode(rng: Random): string {
  const dd = String(rng.int(1, 28)).padStart(2, '0');
  const mm = String(rng.int(1, 12)).padStart(2, '0');
  const yy = String(rng.int(0, 9)).padStart(2, '0');
  const nnn = String(rng.int(900, 999));
  const check = '0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(dd + mm + yy + nnn) % 31]!;
  return `${dd}${mm}${yy}-${nnn}${check}`;
}

function sunday(day: Cell): string {
  return formatDay(parseDay(String(day)) + 6);
}

/**
 * Writes a synthetic Finnish cohort: one file per contract kind (what a provider would export)
 * plus truth/ files kiinni never reads while scoring. Streams student by student in constant
 * memory; byte-identical for the same options.
 */
export async function generateCohort(opts: GenerateOptions, fx: GenerateEffects): Promise<GenerateResult> {
  const t0 = performance.now();
  const out = path.resolve(opts.out);
  const truthDir = path.join(out, 'truth');
  mkdirSync(truthDir, { recursive: true });
  const start = parseDay(opts.start);
  const end = parseDay(`${yearOf(start) + opts.years}${opts.start.slice(4)}`);
  const y0 = monthOf(start) >= 8 ? yearOf(start) : yearOf(start) - 1;
  const win: CohortWindow = { seed: opts.seed, start, end, firstCohortYear: y0 - 2, lastCohortYear: y0 + opts.years - 1 };
  if (opts.checkinProgramme) win.checkinProgrammeFrom = parseDay(opts.checkinProgramme);
  const org = new ProviderStructure(opts.students, opts.seed);

  const writers = new Map<ContractKind, CsvWriter>();
  // A register's export: person_key is made at the edge by the KOSKI route, not exported.
  for (const kind of exportKinds) writers.set(kind, new CsvWriter(path.join(out, `${kind}.csv`), contracts[kind].columns.map((c) => c.name).filter((c) => c !== 'person_key')));
  const truthStudents = new CsvWriter(path.join(truthDir, 'students.csv'), ['student_id', 'education_type', 'background_risk', 'baseline_engagement', 'exit_event', 'exit_date', 'negative_exit']);
  const truthWeekly = new CsvWriter(path.join(truthDir, 'weekly_risk.csv'), ['student_id', 'week', 'engagement', 'wellbeing', 'weekly_hazard']);
  const truthInterventions = new CsvWriter(path.join(truthDir, 'interventions.csv'), ['intervention_id', 'student_id', 'signal_date', 'date', 'delay_days', 'hazard_multiplier', 'effect_weeks']);
  let programme: { candidates: CsvWriter; plans: CsvWriter; truth: CsvWriter } | undefined;
  if (opts.checkinProgramme) {
    mkdirSync(path.join(out, 'checkins'), { recursive: true });
    programme = {
      candidates: new CsvWriter(path.join(out, 'checkins', 'candidates.csv'), ['as_of', 'student_id', 'bottleneck', 'status']),
      plans: new CsvWriter(path.join(out, 'checkins', 'plans.csv'), ['as_of', 'student_id', 'bottleneck', 'question_set', 'unit']),
      truth: new CsvWriter(path.join(truthDir, 'checkins.csv'), ['student_id', 'bottleneck', 'entry_date', 'asked_date', 'responded', 'need_help', 'hazard_multiplier', 'first_week', 'effect_weeks']),
    };
  }
  const faultLog = opts.dirty > 0 ? new CsvWriter(path.join(truthDir, 'faults.csv'), ['file', 'line', 'fault', 'expected', 'rows']) : undefined;
  const faultRng = new Random(opts.seed, 0xfa017);
  let faultNo = 0;
  let quarantinedExpected = 0;

  const write = (kind: ContractKind, row: RowOut) => {
    const wr = writers.get(kind)!;
    wr.writeRow(row);
    const candidates = faults[kind];
    if (faultLog && candidates && faultRng.chance(opts.dirty)) {
      const fault = faultRng.pick(candidates);
      faultNo++;
      const rows = fault.make(row, faultNo);
      let line = 0;
      for (const r of rows) line = wr.writeRow(r);
      faultLog.writeRow([`${kind}.csv`, line, fault.name, 'quarantine', fault.rows]);
      quarantinedExpected += fault.rows;
    }
  };

  for (let i = 0; i < opts.students; i++) {
    const s = simulateStudent(i, win, org);
    for (const kind of ['students', 'assignments', 'study_right_events', 'course_progress', 'attendance', 'wellbeing', 'interventions'] as const) {
      for (const row of s[kind]) write(kind, row);
    }
    truthStudents.writeRow(s.truthStudent);
    for (const r of s.truthWeekly) truthWeekly.writeRow(r);
    for (const r of s.truthInterventions) truthInterventions.writeRow(r);
    if (programme) {
      for (const r of s.checkinCandidates) programme.candidates.writeRow(r);
      for (const r of s.checkinPlans) programme.plans.writeRow(r);
      for (const r of s.truthCheckins) programme.truth.writeRow(r);
    }
    if (fx.progress && (i % 1000 === 999 || i === opts.students - 1)) fx.progress(i + 1, opts.students);
  }
  for (const row of org.groupAssignmentRows()) write('assignments', row);
  for (const m of org.staff) write('staff', [m.staffId, m.name, m.email, m.language, m.roles.join('|'), m.unit]);

  let refusedExpected = 0;
  if (faultLog) {
    // Whole-file faults: an export missing a required column, and one carrying an identity code.
    const missing = new CsvWriter(path.join(out, 'attendance-extra.csv'), ['student_id', 'date', 'lessons_scheduled', 'absent_excused', 'late']);
    missing.writeRow(['S0000001', formatDay(start), 25, 0, 0]);
    missing.close();
    faultLog.writeRow(['attendance-extra.csv', 1, 'missing_column', 'refuse_file', 0]);
    const hetu = new CsvWriter(path.join(out, 'interventions-extra.csv'), contracts.interventions.columns.map((c) => c.name));
    hetu.writeRow(['I-EXTRA-1', 'S0000001', org.staff[0]!.staffId, 'guidance_counsellor', formatDay(start + 30), 'meeting', 'individual', `asked about ${syntheticIdentityCode(faultRng)}`]);
    hetu.close();
    faultLog.writeRow(['interventions-extra.csv', 2, 'identity_code', 'refuse_file', 0]);
    refusedExpected = 2;
  }

  const files: GenerateResult['files'] = [];
  for (const [kind, wr] of writers) {
    wr.close();
    files.push({ kind, file: path.basename(wr.file), rows: wr.rows });
  }
  for (const w of [truthStudents, truthWeekly, truthInterventions, faultLog, programme?.candidates, programme?.plans, programme?.truth]) w?.close();

  if (opts.format === 'parquet') {
    const db = await Warehouse.open(':memory:');
    try {
      for (const f of files) {
        const csv = path.join(out, f.file);
        const pq = csv.replace(/\.csv$/, '.parquet');
        await db.run(`COPY (SELECT * FROM read_csv(${literal(csv)}, header = true, all_varchar = ${opts.dirty > 0})) TO ${literal(pq)} (FORMAT parquet)`);
        rmSync(csv);
        f.file = path.basename(pq);
      }
    } finally {
      db.close();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  fx.logger.info({ students: opts.students, seconds: Math.round(seconds) }, 'fixtures_generated');
  return {
    out,
    students: opts.students,
    seed: opts.seed,
    window: { start: formatDay(start), export_date: formatDay(end) },
    files,
    truth_dir: truthDir,
    checkin_programme: programme ? { from: opts.checkinProgramme!, candidates: programme.candidates.rows, plans: programme.plans.rows } : null,
    faults: { quarantined_rows_expected: quarantinedExpected, refused_files_expected: refusedExpected },
    seconds: Math.round(seconds * 10) / 10,
  };
}
