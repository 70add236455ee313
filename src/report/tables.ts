import type { Row, Warehouse } from '../db/warehouse.js';
import { suppressShare, suppressTable } from './suppress.js';
import { suppressHierarchy } from './hierarchy.js';
import { ident } from '../db/sql.js';
import { academicYearLabel, finestParts, reportDimensions, yearlyMetricsSql, type ReportDimension } from './metrics.js';
import { negativeExits, sqlList } from '../core/vocabulary.js';

/** One column of a report table. `count` and `share` cells are about students and pass suppression. */
export interface ReportColumn {
  name: string;
  kind: 'text' | 'count' | 'share' | 'number' | 'days';
}

/** A table as it appears in the report and in its CSV / Parquet file: already suppressed. */
export interface ReportTable {
  name: string;
  columns: ReportColumn[];
  rows: Record<string, string | number | null>[];
}

export interface TableOptions {
  asOf: string;
  minCell: number;
  graceDays: number;
  /** Only this unit (a unit's own report); leadership of the whole provider leaves it out. */
  unit: string | undefined;
}

const col = (name: string, kind: ReportColumn['kind']): ReportColumn => ({ name, kind });
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** The breakdowns of the yearly tables, coarsest first; a breakdown's index is its level in the suppression hierarchy. */
const yearlyDimensions = reportDimensions;
type YearlyDimension = ReportDimension;
const levelOf = (d: YearlyDimension) => yearlyDimensions.indexOf(d);

/** Which finer values sit wholly inside which coarser ones (a programme in one education type, a group in one programme and one unit). */
export interface Nesting {
  /** `programme` → `education_type`, `group` → `programme`, … : child value → parent value, only where every student of the parent is in a child nested in it. */
  within: { child: YearlyDimension; parent: YearlyDimension; map: Map<string, string> }[];
}

/** Reads the nesting of the provider's own breakdowns from its students. */
export async function yearlyNesting(db: Warehouse): Promise<Nesting> {
  const within: Nesting['within'] = [];
  const pairs: [YearlyDimension, YearlyDimension][] = [['unit', 'education_type'], ['programme', 'education_type'], ['group', 'programme'], ['group', 'unit']];
  for (const [child, parent] of pairs) {
    const rows = await db.all(
      `WITH pairs AS (SELECT DISTINCT ${ident(child)} AS child, ${ident(parent)} AS parent FROM students WHERE ${ident(child)} IS NOT NULL AND ${ident(parent)} IS NOT NULL),
       single AS (SELECT child FROM pairs GROUP BY child HAVING count(*) = 1),
       -- A parent's line is exact only when every child touching it lies wholly inside it.
       exact AS (SELECT parent FROM pairs GROUP BY parent HAVING bool_and(child IN (SELECT child FROM single)))
       SELECT child, parent FROM pairs WHERE parent IN (SELECT parent FROM exact)`,
    );
    within.push({ child, parent, map: new Map(rows.map((r) => [String(r['child']), String(r['parent'])])) });
  }
  return { within };
}

/**
 * Yearly metrics for every breakdown at once, suppressed as one hierarchy (hierarchy.ts): per
 * academic year, negative exits, graduations and the rest ("other": transfers and those still
 * studying, never printed) with `present` as their total; graduations on time with those due to
 * finish as theirs. Shares are shown only where their counts are.
 */
export function yearlyTables(rawByDimension: ReadonlyMap<YearlyDimension, readonly Row[]>, nesting: Nesting, o: TableOptions): ReportTable[] {
  const tables = new Map<YearlyDimension, ReportTable['rows']>(yearlyDimensions.map((d) => [d, []]));
  const years = [...new Set([...rawByDimension.values()].flatMap((rows) => rows.map((r) => String(r['academic_year']))))].sort();
  for (const year of years) {
    const rows = yearlyDimensions.flatMap((d) => (rawByDimension.get(d) ?? []).filter((r) => r['academic_year'] === year).map((r) => ({ d, r, id: `${d}:${String(r['value'])}` })));
    const parentsOf = (d: YearlyDimension, value: string) => [
      ...(d === 'provider' ? [] : [{ parent: 'provider:all', breakdown: d }]),
      ...nesting.within.filter((w) => w.child === d && w.map.has(value)).map((w) => ({ parent: `${w.parent}:${w.map.get(value)!}`, breakdown: `${d}_in_${w.parent}` })),
    ];
    const exits = suppressHierarchy(
      rows.map(({ d, r, id }) => {
        const [present, neg, grad] = [num(r['present']), num(r['negative_exits']), num(r['graduated'])];
        return { id, level: levelOf(d), counts: [neg, grad, present - neg - grad], parents: parentsOf(d, String(r['value'])) };
      }),
      o.minCell,
      [2],
    );
    const due = suppressHierarchy(
      rows.map(({ d, r, id }) => ({ id, level: levelOf(d), counts: [num(r['finished_on_time']), num(r['due_to_finish']) - num(r['finished_on_time'])], parents: parentsOf(d, String(r['value'])) })),
      o.minCell,
    );
    for (const { d, r, id } of rows) {
      const present = exits.totals.get(id) ?? null;
      const [neg, grad] = exits.cells.get(id)!;
      const dueTotal = due.totals.get(id) ?? null;
      const onTime = due.cells.get(id)![0] ?? null;
      const big = num(r['present']) >= o.minCell;
      tables.get(d)!.push({
        academic_year: year,
        [d]: String(r['value']),
        in_progress: r['year_in_progress'] ? 'yes' : 'no',
        present,
        negative_exits: neg ?? null,
        negative_exit_share: present !== null && neg !== null && neg !== undefined ? ratio(neg, present) : null,
        graduated: grad ?? null,
        due_to_finish: dueTotal,
        on_time_share: dueTotal && onTime !== null ? ratio(onTime, dueTotal) : null,
        credits_vs_plan: big ? ratio(num(r['credits_earned']), num(r['credits_planned'])) : null,
        attendance_rate: big ? ratio(num(r['lessons']) - num(r['absent_excused']) - num(r['absent_unexcused']), num(r['lessons'])) : null,
        unexcused_rate: big ? ratio(num(r['absent_unexcused']), num(r['lessons'])) : null,
      });
    }
  }
  return yearlyDimensions.map((d) => ({
    name: `yearly_by_${d}`,
    columns: [
      col('academic_year', 'text'), col(d, 'text'), col('in_progress', 'text'), col('present', 'count'), col('negative_exits', 'count'), col('negative_exit_share', 'share'),
      col('graduated', 'count'), col('due_to_finish', 'count'), col('on_time_share', 'share'), col('credits_vs_plan', 'share'),
      col('attendance_rate', 'share'), col('unexcused_rate', 'share'),
    ],
    rows: tables.get(d)!,
  }));
}

/** Every yearly table as of `o.asOf`: the counts read in one pass at the finest level, summed up to each breakdown, suppressed together. */
export async function yearlyTablesAt(db: Warehouse, o: TableOptions): Promise<{ tables: ReportTable[]; counts: Map<YearlyDimension, Row[]> }> {
  const counts = rollUp(await db.all(yearlyMetricsSql('finest'), { as_of: o.asOf, grace_days: o.graceDays }));
  return { tables: yearlyTables(counts, await yearlyNesting(db), o), counts };
}

/** The counts the yearly metrics add up (every one of them a count or a sum over students). */
const additive = ['present', 'negative_exits', 'graduated', 'transferred', 'due_to_finish', 'finished_on_time', 'credits_earned', 'credits_planned', 'lessons', 'absent_excused', 'absent_unexcused'];

/** Finest rows summed to each breakdown, as yearlyMetricsSql(dimension) would give them. */
export function rollUp(finest: readonly Row[]): Map<YearlyDimension, Row[]> {
  const out = new Map<YearlyDimension, Row[]>();
  for (const d of yearlyDimensions) {
    const part = d === 'provider' ? -1 : finestParts.indexOf(d);
    const sums = new Map<string, Row>();
    for (const r of finest) {
      const parts = String(r['value']).split('\u001f');
      const value = part < 0 ? 'all' : parts[part] === '' ? null : parts[part]!;
      const k = `${String(r['start_year'])}|${String(value)}`;
      const s: Row = sums.get(k) ?? { academic_year: r['academic_year'] ?? null, start_year: r['start_year'] ?? null, value, year_in_progress: r['year_in_progress'] ?? null, ...Object.fromEntries(additive.map((a) => [a, 0])) };
      sums.set(k, s);
      for (const a of additive) s[a] = Number(s[a]) + num(r[a]);
    }
    out.set(d, [...sums.values()].sort((x, y) => Number(x['start_year']) - Number(y['start_year']) || String(x['value']).localeCompare(String(y['value']))));
  }
  return out;
}


/** The background factors the intake table shows, each as `<factor>_share`. */
export const intakeFactors = ['low_gpa', 'special_support', 'not_first_choice', 'earlier_interruptions', 'continuous_intake'] as const;

/** Background profile of each year's intake (taustadata), as shares of entrants. */
export async function intakeTable(db: Warehouse, o: TableOptions): Promise<ReportTable> {
  const raw = await db.all(
    `SELECT CASE WHEN month(study_right_start) >= 8 THEN year(study_right_start) ELSE year(study_right_start) - 1 END AS start_year,
       education_type, count(*) AS entrants,
       count(*) FILTER (WHERE prior_gpa < 6.5) AS low_gpa,
       count(*) FILTER (WHERE prior_special_support IN ('intensified', 'special')) AS special_support,
       count(*) FILTER (WHERE NOT first_choice) AS not_first_choice,
       count(*) FILTER (WHERE prior_interruptions > 0) AS earlier_interruptions,
       count(*) FILTER (WHERE admission_route = 'continuous') AS continuous_intake
     FROM students WHERE study_right_start <= $as_of::DATE GROUP BY ALL ORDER BY 1, 2`,
    { as_of: o.asOf },
  );
  const factors = intakeFactors;
  return {
    name: 'intake_background',
    columns: [col('academic_year', 'text'), col('education_type', 'text'), col('entrants', 'count'), ...factors.map((f) => col(`${f}_share`, 'share'))],
    rows: raw.map((r) => {
      const n = num(r['entrants']);
      const y = num(r['start_year']);
      return {
        academic_year: academicYearLabel(y),
        education_type: String(r['education_type']),
        entrants: n >= o.minCell ? n : null,
        ...Object.fromEntries(factors.map((f) => [`${f}_share`, suppressShare(num(r[f]), n, o.minCell)])),
      };
    }),
  };
}

/** Well-being change, aggregate only: the monthly average answer and help requests. */
export async function wellbeingTable(db: Warehouse, o: TableOptions): Promise<ReportTable> {
  const raw = await db.all(
    `SELECT strftime(answered_at, '%Y-%m') AS month, count(DISTINCT student_id) AS students, avg(value) AS average_answer,
       count(DISTINCT student_id) FILTER (WHERE need_help) AS asked_for_help
     FROM wellbeing JOIN students USING (student_id) WHERE answered_at::DATE <= $as_of::DATE AND answered_at::DATE > $as_of::DATE - 730 GROUP BY 1 ORDER BY 1`,
    { as_of: o.asOf },
  );
  return {
    name: 'wellbeing_monthly',
    columns: [col('month', 'text'), col('students_answering', 'count'), col('average_answer', 'number'), col('asked_for_help', 'count')],
    rows: raw.map((r) => {
      const n = num(r['students']);
      const help = num(r['asked_for_help']);
      return {
        month: String(r['month']),
        students_answering: n >= o.minCell ? n : null,
        average_answer: n >= o.minCell ? Math.round(Number(r['average_answer']) * 100) / 100 : null,
        asked_for_help: help === 0 || help >= o.minCell ? help : null,
      };
    }),
  };
}

/** Risk bands of the latest scoring by unit (current model), suppressed as a unit × band table. */
export async function riskBandTable(db: Warehouse, o: TableOptions): Promise<ReportTable> {
  const raw = await db.all(
    `WITH latest AS (SELECT max(r.as_of) AS d FROM current_risk_scores r WHERE r.as_of <= $as_of::DATE)
     SELECT s.unit, strftime((SELECT d FROM latest), '%Y-%m-%d') AS scored_on,
       count(*) FILTER (WHERE r.band = 'low') AS low, count(*) FILTER (WHERE r.band = 'raised') AS raised, count(*) FILTER (WHERE r.band = 'high') AS high
     FROM current_risk_scores r JOIN students s USING (student_id)
     WHERE r.as_of = (SELECT d FROM latest) GROUP BY ALL ORDER BY 1`,
    { as_of: o.asOf },
  );
  const t = suppressTable({ counts: raw.map((r) => [num(r['low']), num(r['raised']), num(r['high'])]) }, o.minCell);
  return {
    name: 'risk_bands',
    columns: [col('unit', 'text'), col('scored_on', 'text'), col('students', 'count'), col('low', 'count'), col('raised', 'count'), col('high', 'count')],
    rows: raw.map((r, i) => ({ unit: String(r['unit']), scored_on: String(r['scored_on']), students: t.rowTotals[i] ?? null, low: t.cells[i]![0] ?? null, raised: t.cells[i]![1] ?? null, high: t.cells[i]![2] ?? null })),
  };
}

/** Triggers by family and role over the last 365 days: volumes, response and routing gaps. */
export async function triggerTable(db: Warehouse, o: TableOptions): Promise<ReportTable> {
  const raw = await db.all(
    `SELECT family, first_role AS role, count(*) AS opened, count(DISTINCT student_id) AS students,
       count(*) FILTER (WHERE acknowledged_on IS NOT NULL OR status = 'resolved') AS acknowledged,
       median(date_diff('day', opened_on, acknowledged_on)) AS median_days_to_acknowledge,
       median(date_diff('day', opened_on, closed_on)) FILTER (WHERE status = 'resolved') AS median_days_to_resolve,
       count(*) FILTER (WHERE status = 'open' AND staff_id IS NULL) AS routing_gaps,
       count(*) FILTER (WHERE status = 'expired') AS expired
     FROM triggers JOIN students USING (student_id) WHERE opened_on <= $as_of::DATE AND opened_on > $as_of::DATE - 365 GROUP BY ALL ORDER BY 1, 2`,
    { as_of: o.asOf },
  );
  return {
    name: 'triggers_by_family_role',
    columns: [
      col('family', 'text'), col('role', 'text'), col('triggers', 'number'), col('students', 'count'), col('acknowledged_share', 'share'),
      col('median_days_to_acknowledge', 'days'), col('median_days_to_resolve', 'days'), col('expired_share', 'share'), col('routing_gaps', 'number'),
    ],
    rows: raw.map((r) => {
      const ok = num(r['students']) >= o.minCell;
      const n = num(r['opened']);
      return {
        family: String(r['family']),
        role: String(r['role']),
        triggers: ok ? n : null,
        students: ok ? num(r['students']) : null,
        acknowledged_share: ok ? ratio(num(r['acknowledged']), n) : null,
        median_days_to_acknowledge: ok && r['median_days_to_acknowledge'] !== null ? Number(r['median_days_to_acknowledge']) : null,
        median_days_to_resolve: ok && r['median_days_to_resolve'] !== null ? Number(r['median_days_to_resolve']) : null,
        expired_share: ok ? ratio(num(r['expired']), n) : null,
        routing_gaps: ok ? num(r['routing_gaps']) : null,
      };
    }),
  };
}

/** Triggers opened per month and family over the last 12 months (the trend behind triggers_by_family_role). */
export async function triggerMonthlyTable(db: Warehouse, o: TableOptions): Promise<ReportTable> {
  const raw = await db.all(
    `SELECT strftime(opened_on, '%Y-%m') AS month, family, count(*) AS opened, count(DISTINCT student_id) AS students
     FROM triggers JOIN students USING (student_id) WHERE opened_on <= $as_of::DATE AND opened_on > $as_of::DATE - 365 GROUP BY ALL ORDER BY 1, 2`,
    { as_of: o.asOf },
  );
  return {
    name: 'triggers_monthly',
    columns: [col('month', 'text'), col('family', 'text'), col('triggers', 'number'), col('students', 'count')],
    rows: raw.map((r) => {
      const ok = num(r['students']) >= o.minCell;
      return { month: String(r['month']), family: String(r['family']), triggers: ok ? num(r['opened']) : null, students: ok ? num(r['students']) : null };
    }),
  };
}

/** Interventions by type over the last two years, and what followed: a negative exit within 180 days. */
export async function interventionTable(db: Warehouse, o: TableOptions): Promise<ReportTable> {
  const raw = await db.all(
    `WITH neg AS (SELECT student_id, min(date) AS exit_date FROM study_right_events WHERE event IN (${sqlList(negativeExits)}) GROUP BY student_id)
     SELECT i.type, i.scope, count(*) AS interventions, count(DISTINCT i.student_id) AS students,
       count(DISTINCT i.student_id) FILTER (WHERE i.date <= $as_of::DATE - 180) AS followed_students,
       count(DISTINCT i.student_id) FILTER (WHERE i.date <= $as_of::DATE - 180 AND n.exit_date > i.date AND n.exit_date <= i.date + 180) AS exited_within_180d
     FROM interventions i JOIN students s USING (student_id) LEFT JOIN neg n USING (student_id)
     WHERE i.date <= $as_of::DATE AND i.date > $as_of::DATE - 730 GROUP BY ALL ORDER BY 1, 2`,
    { as_of: o.asOf },
  );
  return {
    name: 'interventions_by_type',
    columns: [col('type', 'text'), col('scope', 'text'), col('interventions', 'number'), col('students', 'count'), col('negative_exit_within_180d_share', 'share')],
    rows: raw.map((r) => {
      const ok = num(r['students']) >= o.minCell;
      return {
        type: String(r['type']),
        scope: String(r['scope']),
        interventions: ok ? num(r['interventions']) : null,
        students: ok ? num(r['students']) : null,
        negative_exit_within_180d_share: ok ? suppressShare(num(r['exited_within_180d']), num(r['followed_students']), o.minCell) : null,
      };
    }),
  };
}

/** Data freshness and quarantine per source kind. */
export async function dataQualityTable(db: Warehouse): Promise<ReportTable> {
  const raw = await db.all(
    `SELECT kind, strftime(max(started_at), '%Y-%m-%d') AS last_loaded, sum(rows_loaded) AS rows_loaded, sum(rows_quarantined) AS rows_quarantined,
       count(*) FILTER (WHERE status = 'refused') AS files_refused
     FROM ingest_log GROUP BY kind ORDER BY kind`,
  );
  return {
    name: 'data_quality',
    columns: [col('kind', 'text'), col('last_loaded', 'text'), col('rows_loaded', 'number'), col('rows_quarantined', 'number'), col('files_refused', 'number')],
    rows: raw.map((r) => ({ kind: String(r['kind']), last_loaded: String(r['last_loaded']), rows_loaded: num(r['rows_loaded']), rows_quarantined: num(r['rows_quarantined']), files_refused: num(r['files_refused']) })),
  };
}


/**
 * Check-ins over the last year (planned at least 3 days ago), by bottleneck and by unit:
 * response rate, help-request rate and the median days from a help request to the first
 * recorded contact.
 */
export async function checkinTable(db: Warehouse, o: TableOptions): Promise<ReportTable> {
  const rows: ReportTable['rows'] = [];
  for (const [dimension, expr] of [['bottleneck', 'p.bottleneck'], ['question_set', 'p.question_set'], ['unit', 's.unit']] as const) {
    const raw = await db.all(
      `WITH plans AS (
         SELECT p.as_of, p.student_id, ${expr} AS value FROM checkin_plans p JOIN students s USING (student_id)
         WHERE p.as_of <= $as_of::DATE - 3 AND p.as_of > $as_of::DATE - 365
       ),
       answered AS (
         SELECT p.as_of, p.student_id, min(w.answered_at) AS first_answer, min(w.answered_at) FILTER (WHERE w.need_help) AS help_at
         FROM plans p JOIN wellbeing w ON w.student_id = p.student_id AND w.source = 'check-in' AND w.answered_at::DATE BETWEEN p.as_of AND p.as_of + 3
         GROUP BY ALL
       ),
       contact AS (
         SELECT a.as_of, a.student_id, min(i.date) AS first_contact
         FROM answered a JOIN interventions i ON i.student_id = a.student_id AND i.date >= a.help_at::DATE AND i.date <= $as_of::DATE
         WHERE a.help_at IS NOT NULL GROUP BY ALL
       )
       SELECT p.value, count(*) AS planned, count(DISTINCT p.student_id) AS students, count(a.first_answer) AS answered,
         count(a.help_at) AS help_requests, median(date_diff('day', a.help_at::DATE, c.first_contact)) AS median_days_to_contact
       FROM plans p LEFT JOIN answered a USING (as_of, student_id) LEFT JOIN contact c USING (as_of, student_id)
       GROUP BY p.value ORDER BY p.value`,
      { as_of: o.asOf },
    );
    for (const r of raw) {
      const ok = num(r['students']) >= o.minCell;
      rows.push({
        dimension,
        value: String(r['value']),
        checkins: ok ? num(r['planned']) : null,
        students: ok ? num(r['students']) : null,
        response_rate: ok ? suppressShare(num(r['answered']), num(r['planned']), o.minCell) : null,
        help_request_rate: ok ? suppressShare(num(r['help_requests']), num(r['answered']), o.minCell) : null,
        median_days_to_contact: ok && num(r['help_requests']) >= o.minCell && r['median_days_to_contact'] !== null ? Number(r['median_days_to_contact']) : null,
      });
    }
  }
  return {
    name: 'checkins',
    columns: [col('dimension', 'text'), col('value', 'text'), col('checkins', 'number'), col('students', 'count'), col('response_rate', 'share'), col('help_request_rate', 'share'), col('median_days_to_contact', 'days')],
    rows,
  };
}
