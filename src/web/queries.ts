import { exitEvents, sqlList } from '../core/vocabulary.js';
import { addDays, addMonths, dayOfWeek } from '../core/dates.js';
import { literal, textList, textListSql } from '../db/sql.js';
import type { Warehouse } from '../db/warehouse.js';

/** The workspace's reads of the warehouse, one function per question a page asks. */

const fullName = (r: Record<string, unknown>): string => [r['given_name'], r['family_name']].filter(Boolean).join(' ');

/** A staff member by e-mail address (case-insensitive), for a sign-in link. */
export async function staffByEmail(db: Warehouse, email: string): Promise<{ staffId: string; name: string; email: string; language: unknown; roles: string[] } | null> {
  const r = await db.one(`SELECT staff_id, name, email, language, roles FROM staff WHERE lower(email) = $email`, { email });
  return r ? { staffId: String(r['staff_id']), name: String(r['name']), email: String(r['email']), language: r['language'], roles: (r['roles'] as string[] | null) ?? [] } : null;
}

/** What the student page shows about a student's studies. */
export interface StudentRecord {
  name: string;
  education_type: string;
  group: string | null;
  programme: string | null;
  unit: string | null;
  start: string | null;
  planned_end: string | null;
}

export async function studentRecord(db: Warehouse, id: string): Promise<StudentRecord | null> {
  const s = await db.one(
    `SELECT given_name, family_name, education_type, "group", programme, unit, strftime(study_right_start, '%Y-%m-%d') AS start, strftime(planned_end, '%Y-%m-%d') AS planned_end FROM students WHERE student_id = $id`,
    { id },
  );
  if (!s) return null;
  const text = (k: string) => (s[k] === null || s[k] === undefined ? null : String(s[k]));
  return { name: fullName(s) || id, education_type: text('education_type') ?? 'unknown', group: text('group'), programme: text('programme'), unit: text('unit'), start: text('start'), planned_end: text('planned_end') };
}

/** The students of these groups still studying today, by group and name (changes only with the night's data). */
export async function groupRoster(db: Warehouse, codes: readonly string[], today: string): Promise<{ student_id: string; name: string; group: string }[]> {
  if (!codes.length) return [];
  const rows = await db.all(
    `WITH g AS (SELECT s.student_id, s.given_name, s.family_name, s."group" FROM students s WHERE s."group" IN (${codes.map(literal).join(', ')})),
     gone AS (SELECT DISTINCT student_id FROM study_right_events WHERE event IN (${sqlList(exitEvents)}) AND date <= $today::DATE AND student_id IN (SELECT student_id FROM g))
     SELECT g.* FROM g WHERE g.student_id NOT IN (SELECT student_id FROM gone) ORDER BY g."group", g.family_name, g.given_name, g.student_id`,
    { today },
  );
  return rows.map((r) => ({ student_id: String(r['student_id']), name: fullName(r) || String(r['student_id']), group: String(r['group']) }));
}

/** How many open ordinary triggers each of these students has (those with none are left out). */
export async function openOrdinaryTriggers(db: Warehouse, ids: readonly string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db.all(
    `SELECT student_id, count(*) AS n FROM triggers
     WHERE student_id IN (SELECT ${textListSql('ids')}) AND status IN ('open', 'acknowledged') AND visibility = 'ordinary' GROUP BY 1`,
    { ids: textList(ids) },
  );
  return new Map(rows.map((r) => [String(r['student_id']), Number(r['n'])]));
}

/** The ids of one group's students still studying today. */
export async function studyingInGroup(db: Warehouse, group: string, today: string): Promise<string[]> {
  const rows = await db.all(
    `SELECT student_id FROM students s WHERE "group" = $g AND NOT EXISTS (SELECT 1 FROM study_right_events e WHERE e.student_id = s.student_id AND e.event IN (${sqlList(exitEvents)}) AND e.date <= $today::DATE)`,
    { g: group, today },
  );
  return rows.map((r) => String(r['student_id']));
}

/** The data coordinator's overview: recent runs, quarantined rows by file and reason, model versions. */
export async function adminOverview(db: Warehouse) {
  const runs = await db.all(`SELECT run_id, pipeline, status, attempts, strftime(started_at, '%Y-%m-%d %H:%M') AS started, strftime(ended_at, '%Y-%m-%d %H:%M') AS ended, error FROM pipeline_runs ORDER BY started_at DESC LIMIT 20`);
  const quarantine = await db.all(`SELECT kind, file_name, reason, count(*) AS n_rows FROM quarantine GROUP BY ALL ORDER BY n_rows DESC LIMIT 30`);
  const models = await db.all(`SELECT version, status, strftime(data_as_of, '%Y-%m-%d') AS data_as_of, roc_auc, pr_auc, brier, ece FROM model_versions ORDER BY created_at DESC LIMIT 10`);
  return { runs, quarantine, models };
}

/** A student's display name (their id when the provider gives none) and group. */
export interface StudentBasics {
  name: string;
  group: string;
}

/**
 * Name and group of each student (the caseload, a trigger page), read for those not yet in
 * `kept` and kept there: they change only with the night's data (the caller empties `kept` then).
 */
export async function studentBasics(db: Warehouse, kept: Map<string, StudentBasics>, ids: readonly string[]): Promise<Map<string, StudentBasics>> {
  const missing = [...new Set(ids)].filter((id) => !kept.has(id));
  if (missing.length) {
    const rows = await db.all(`SELECT student_id, given_name, family_name, "group" FROM students SEMI JOIN (SELECT ${textListSql('ids')} AS student_id) USING (student_id)`, { ids: textList(missing) });
    for (const r of rows) kept.set(String(r['student_id']), { name: fullName(r) || String(r['student_id']), group: String(r['group'] ?? '') });
  }
  const out = new Map<string, StudentBasics>();
  for (const id of ids) {
    const b = kept.get(id);
    if (b) out.set(id, b);
  }
  return out;
}

/** When this staff member last opened their caseload (before now), to mark what is new since. */
export async function lastCaseloadVisit(db: Warehouse, staffId: string): Promise<string | null> {
  const r = await db.one(`SELECT strftime(max(logged_at), '%Y-%m-%d') AS at FROM audit_log WHERE staff_id = $s AND action = 'viewed_triggers'`, { s: staffId });
  return r?.['at'] ? String(r['at']) : null;
}

/** The day of a visit recorded at `at`, as lastCaseloadVisit reads it back (the audit log keeps UTC). */
export const visitDay = (at: Date): string => at.toISOString().slice(0, 10);

/** A student's last twelve months, week by week, for the student page's timeline. */
export interface StudentTimeline {
  /** Weeks with scheduled lessons: the shares missed without and with an explanation. */
  attendance: { week: string; unexcused: number; excused: number }[];
  /** Month ends: credits earned so far, and planned to be by then. */
  credits: { month: string; earned: number; planned: number }[];
  /** Well-being answers on the 1–5 scale (welfare roles only: the caller decides). */
  wellbeing: { day: string; value: number }[];
}

export async function studentTimeline(db: Warehouse, id: string, today: string, withWellbeing: boolean): Promise<StudentTimeline> {
  // One round trip for the three sources (each a few rows of one student; the per-query cost of
  // DuckDB is what a page view would otherwise pay three times): attendance days (summed by week
  // here: a grouping in SQL sizes itself for the whole table and costs more than the rows),
  // well-being answers, and the student's courses (credits summed by month here). Each source is
  // read by student alone and the twelve months are picked here: a date condition beside the
  // student makes DuckDB evaluate it over every block it reads, three times the cost.
  const rows = await db.all(
    `SELECT 'attendance' AS part, strftime(date, '%Y-%m-%d') AS d1, NULL AS d2, absent_unexcused AS n1, absent_excused AS n2, lessons_scheduled AS n3
     FROM attendance WHERE student_id = $id
     ${withWellbeing ? `UNION ALL
     SELECT 'wellbeing', strftime(answered_at, '%Y-%m-%d %H:%M:%S'), NULL, value, NULL, NULL FROM wellbeing WHERE student_id = $id` : ''}
     UNION ALL
     SELECT 'course', strftime(completed_on, '%Y-%m-%d'), strftime(planned_end, '%Y-%m-%d'), credits,
       (CASE WHEN status = 'completed' THEN 1 ELSE 0 END) + (CASE WHEN course_id NOT LIKE '%#%' THEN 2 ELSE 0 END), NULL
     FROM course_progress WHERE student_id = $id`,
    { id },
  );
  const yearAgo = addMonths(today, -12);
  const inYear = (day: string) => day > yearAgo && day <= today;
  const part = (name: string) => rows.filter((r) => r['part'] === name);
  // Month ends of the last twelve months (today for the current one): credits earned and planned by then.
  const ends = Array.from({ length: 12 }, (_, i) => {
    const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 11 + i];
    const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    return last < today ? last : today;
  });
  const courses = part('course').map((r) => ({ completed: r['d1'] === null ? null : String(r['d1']), planned: r['d2'] === null ? null : String(r['d2']), credits: Number(r['n1'] ?? 0), flags: Number(r['n2']) }));
  return {
    attendance: byWeek(
      part('attendance')
        .filter((r) => inYear(String(r['d1'])) && Number(r['n3']) > 0)
        .map((r) => ({ day: String(r['d1']), unexcused: Number(r['n1']), excused: Number(r['n2']), lessons: Number(r['n3']) })),
    ),
    credits: ends.map((end) => ({
      month: end,
      earned: courses.reduce((s, c) => s + ((c.flags & 1) && c.completed !== null && c.completed <= end ? c.credits : 0), 0),
      planned: courses.reduce((s, c) => s + ((c.flags & 2) && c.planned !== null && c.planned <= end ? c.credits : 0), 0),
    })),
    wellbeing: part('wellbeing')
      .filter((r) => r['n1'] !== null && inYear(String(r['d1']).slice(0, 10)))
      .map((r) => ({ at: String(r['d1']), value: Number(r['n1']) }))
      .sort((a, b) => (a.at < b.at ? -1 : 1))
      .map((w) => ({ day: w.at.slice(0, 10), value: w.value })),
  };
}

/** Attendance days summed by ISO week (Monday): the shares of scheduled lessons missed without and with an explanation. */
export function byWeek(days: readonly { day: string; unexcused: number; excused: number; lessons: number }[]): StudentTimeline['attendance'] {
  const weeks = new Map<string, { unexcused: number; excused: number; lessons: number }>();
  for (const d of days) {
    const monday = addDays(d.day, -((dayOfWeek(d.day) + 6) % 7));
    const w = weeks.get(monday) ?? { unexcused: 0, excused: 0, lessons: 0 };
    w.unexcused += d.unexcused;
    w.excused += d.excused;
    w.lessons += d.lessons;
    weeks.set(monday, w);
  }
  return [...weeks]
    .filter(([, w]) => w.lessons > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([week, w]) => ({ week, unexcused: w.unexcused / w.lessons, excused: w.excused / w.lessons }));
}
