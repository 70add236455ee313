import { rolesThatSee, visibilityClasses, type Visibility } from '../core/roles.js';
import type { SqlParams, Warehouse } from '../db/warehouse.js';
import { exitEvents, sqlList } from '../core/vocabulary.js';

/** Metric families of the national model, plus the model and help requests. */
export const triggerFamilies = ['background', 'performance', 'wellbeing', 'model', 'help_request'] as const;
export type TriggerFamily = (typeof triggerFamilies)[number];

/** One fact about a student as of a date: a column rule conditions and messages may use. */
export interface Fact {
  name: string;
  type: 'VARCHAR' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'DATE';
  visibility: Visibility;
  description: string;
}

const f = (name: string, type: Fact['type'], visibility: Visibility, description: string): Fact => ({ name, type, visibility, description });

/**
 * Every fact `studentFactsSql` computes, with its visibility. A rule that reads a welfare fact
 * is itself welfare; the rule loader checks this, so this list is where minimisation starts.
 */
export const facts: readonly Fact[] = [
  f('unit', 'VARCHAR', 'ordinary', 'Unit (toimipiste).'),
  f('programme', 'VARCHAR', 'ordinary', 'Programme or qualification.'),
  f('education_type', 'VARCHAR', 'ordinary', 'vocational or upper_secondary.'),
  f('student_group', 'VARCHAR', 'ordinary', 'Group (ryhmä).'),
  f('days_since_start', 'INTEGER', 'ordinary', 'Days since the study right started.'),
  f('prior_gpa', 'DOUBLE', 'ordinary', 'Basic-education grade average 4–10.'),
  f('background_risk_factors', 'INTEGER', 'ordinary', 'Background factors present: grade average under 6.5, special support, earlier interruptions, not the first choice, living independently under 18.'),
  f('unexcused_lessons_2w', 'INTEGER', 'ordinary', 'Unexcused absences (lessons) in the last 2 weeks of known attendance.'),
  f('lessons_2w', 'INTEGER', 'ordinary', 'Lessons scheduled in the same 2 weeks.'),
  f('unexcused_share_2w', 'DOUBLE', 'ordinary', 'Share of scheduled lessons missed without excuse in the last 2 weeks (0–1).'),
  f('credits_earned', 'DOUBLE', 'ordinary', 'Credits completed so far.'),
  f('credits_planned_by_now', 'DOUBLE', 'ordinary', 'Credits the study plan expected to be done by now (a retake, course_id with #, is not planned twice).'),
  f('credits_behind', 'DOUBLE', 'ordinary', 'Credits planned by now but not earned.'),
  f('credits_60d', 'DOUBLE', 'ordinary', 'Credits completed in the last 60 days.'),
  f('credits_planned_60d', 'DOUBLE', 'ordinary', 'Credits of units or courses planned to end in the last 60 days.'),
  f('days_since_credit', 'INTEGER', 'ordinary', 'Days since the last completed unit or course (since the start if none).'),
  f('failed_or_interrupted_30d', 'INTEGER', 'ordinary', 'Units or courses failed or interrupted in the last 30 days.'),
  f('wellbeing_recent', 'DOUBLE', 'welfare', 'Average of the student’s well-being answers (1–5) in the last 30 days.'),
  f('wellbeing_baseline', 'DOUBLE', 'welfare', 'Average of the student’s answers 31–180 days ago.'),
  f('wellbeing_drop', 'DOUBLE', 'welfare', 'Baseline minus recent average (positive = worse now).'),
  f('low_answers_30d', 'INTEGER', 'welfare', 'Answers of 1 or 2 in the last 30 days.'),
  f('lowest_item_30d', 'VARCHAR', 'welfare', 'The item with the lowest answer in the last 30 days.'),
  f('help_studies_3d', 'INTEGER', 'guidance', 'Check-in help requests about studies in the last 3 days.'),
  f('help_wellbeing_3d', 'INTEGER', 'welfare', 'Help requests about well-being (or without a category) in the last 3 days.'),
  f('help_health_3d', 'INTEGER', 'welfare', 'Help requests about health in the last 3 days.'),
  f('help_life_situation_3d', 'INTEGER', 'welfare', 'Help requests about the life situation in the last 3 days.'),
  f('risk_band', 'VARCHAR', 'ordinary', 'Band of the latest risk score in the last 14 days: low, raised or high.'),
  f('risk_probability', 'DOUBLE', 'risk_score', 'Probability of a negative exit within the model horizon.'),
  f('risk_reasons', 'VARCHAR', 'ordinary', 'The score’s top reasons (JSON); welfare reasons are removed for other roles one by one.'),
  f('interventions_60d', 'INTEGER', 'ordinary', 'Support recorded by non-welfare roles in the last 60 days.'),
  f('unanswered_checkins_60d', 'INTEGER', 'ordinary', 'Check-ins planned for the student in the last 60 days (at least 3 days ago) with no check-in answer within 3 days.'),
];

export const factByName = new Map(facts.map((x) => [x.name, x]));

/** Fact-table columns that exist for routing, beside the facts. */
const FACTS_TABLE = '_student_facts';
export { FACTS_TABLE };

/**
 * Facts for every student active on `$as_of` (started, not exited, not paused), each computed
 * from data dated on or before that day. Weekly attendance counts once its week is over
 * (`$attendance_lag_days`, see features/base-sql.ts).
 */
export const studentFactsSql = `
  CREATE OR REPLACE TEMP TABLE ${FACTS_TABLE} AS
  WITH active AS (
    SELECT s.* FROM students s
    WHERE s.study_right_start <= $as_of::DATE
      AND NOT EXISTS (SELECT 1 FROM study_right_events e WHERE e.student_id = s.student_id AND e.date <= $as_of::DATE
                        AND e.event IN (${sqlList(exitEvents)}))
      AND coalesce((SELECT arg_max(e.event, e.date) FROM study_right_events e WHERE e.student_id = s.student_id AND e.date <= $as_of::DATE
                      AND e.event IN ('started', 'paused', 'resumed')), 'started') <> 'paused'
  ),
  att AS (
    SELECT a.student_id, sum(a.absent_unexcused)::INTEGER AS unexcused, sum(a.lessons_scheduled)::INTEGER AS lessons
    FROM attendance a JOIN active USING (student_id)
    WHERE a.date + $attendance_lag_days::INTEGER <= $as_of::DATE AND a.date > $as_of::DATE - 14 - $attendance_lag_days::INTEGER
    GROUP BY a.student_id
  ),
  cp AS (
    SELECT c.student_id,
      coalesce(sum(c.credits) FILTER (WHERE c.completed_on <= $as_of::DATE), 0) AS earned,
      coalesce(sum(c.credits) FILTER (WHERE c.planned_end <= $as_of::DATE AND NOT c.is_retake), 0) AS planned,
      coalesce(sum(c.credits) FILTER (WHERE c.completed_on > $as_of::DATE - 60 AND c.completed_on <= $as_of::DATE), 0) AS recent,
      coalesce(sum(c.credits) FILTER (WHERE c.planned_end > $as_of::DATE - 60 AND c.planned_end <= $as_of::DATE AND NOT c.is_retake), 0) AS planned_recent,
      max(c.completed_on) FILTER (WHERE c.completed_on <= $as_of::DATE) AS last_credit,
      count(*) FILTER (WHERE c.status IN ('failed', 'interrupted') AND c.updated_at::DATE <= $as_of::DATE AND c.updated_at::DATE > $as_of::DATE - 30)::INTEGER AS failed_recent
    FROM (SELECT *, position('#' IN course_id) > 0 AS is_retake FROM course_progress) c JOIN active USING (student_id)
    GROUP BY c.student_id
  ),
  wb AS (
    SELECT w.student_id,
      avg(w.value) FILTER (WHERE w.answered_at::DATE > $as_of::DATE - 30) AS recent,
      avg(w.value) FILTER (WHERE w.answered_at::DATE <= $as_of::DATE - 30 AND w.answered_at::DATE > $as_of::DATE - 180) AS baseline,
      count(*) FILTER (WHERE w.value <= 2 AND w.answered_at::DATE > $as_of::DATE - 30)::INTEGER AS low_recent,
      arg_min(w.item, w.value) FILTER (WHERE w.value IS NOT NULL AND w.answered_at::DATE > $as_of::DATE - 30) AS lowest_item,
      count(*) FILTER (WHERE w.need_help AND w.answered_at::DATE > $as_of::DATE - 3 AND w.need_category = 'studies')::INTEGER AS help_studies,
      count(*) FILTER (WHERE w.need_help AND w.answered_at::DATE > $as_of::DATE - 3 AND coalesce(w.need_category, 'wellbeing') = 'wellbeing')::INTEGER AS help_wellbeing,
      count(*) FILTER (WHERE w.need_help AND w.answered_at::DATE > $as_of::DATE - 3 AND w.need_category = 'health')::INTEGER AS help_health,
      count(*) FILTER (WHERE w.need_help AND w.answered_at::DATE > $as_of::DATE - 3 AND w.need_category = 'life_situation')::INTEGER AS help_life
    FROM wellbeing w JOIN active USING (student_id)
    WHERE w.answered_at::DATE <= $as_of::DATE AND w.answered_at::DATE > $as_of::DATE - 180
    GROUP BY w.student_id
  ),
  risk AS (SELECT student_id, band, probability, reasons FROM current_risk($as_of::DATE)),
  unanswered AS (
    SELECT p.student_id, count(*)::INTEGER AS n FROM checkin_plans p
    WHERE p.as_of <= $as_of::DATE - 3 AND p.as_of > $as_of::DATE - 60
      AND NOT EXISTS (SELECT 1 FROM wellbeing w WHERE w.student_id = p.student_id AND w.source = 'check-in'
                        AND w.answered_at::DATE >= p.as_of AND w.answered_at::DATE <= p.as_of + 3)
    GROUP BY p.student_id
  ),
  iv AS (
    SELECT i.student_id, count(*)::INTEGER AS n FROM interventions i
    WHERE i.date <= $as_of::DATE AND i.date > $as_of::DATE - 60 AND i.role NOT IN ('social_worker', 'psychologist', 'nurse')
    GROUP BY i.student_id
  )
  SELECT a.student_id,
    a.unit, a.programme, a.education_type, a."group" AS student_group,
    date_diff('day', a.study_right_start, $as_of::DATE)::INTEGER AS days_since_start,
    a.prior_gpa,
    -- Factors known to be present; an unknown one is not counted.
    (coalesce(a.prior_gpa < 6.5, false)::INTEGER + coalesce(a.prior_special_support IN ('intensified', 'special'), false)::INTEGER + coalesce(a.prior_interruptions > 0, false)::INTEGER
      + coalesce(NOT a.first_choice, false)::INTEGER + coalesce(a.lives_independently AND year($as_of::DATE) - a.birth_year < 18, false)::INTEGER)::INTEGER AS background_risk_factors,
    coalesce(att.unexcused, 0) AS unexcused_lessons_2w,
    coalesce(att.lessons, 0) AS lessons_2w,
    coalesce(att.unexcused / nullif(att.lessons, 0), 0)::DOUBLE AS unexcused_share_2w,
    coalesce(cp.earned, 0)::DOUBLE AS credits_earned,
    coalesce(cp.planned, 0)::DOUBLE AS credits_planned_by_now,
    greatest(coalesce(cp.planned, 0) - coalesce(cp.earned, 0), 0)::DOUBLE AS credits_behind,
    coalesce(cp.recent, 0)::DOUBLE AS credits_60d,
    coalesce(cp.planned_recent, 0)::DOUBLE AS credits_planned_60d,
    date_diff('day', coalesce(cp.last_credit, a.study_right_start), $as_of::DATE)::INTEGER AS days_since_credit,
    coalesce(cp.failed_recent, 0) AS failed_or_interrupted_30d,
    wb.recent AS wellbeing_recent,
    wb.baseline AS wellbeing_baseline,
    (wb.baseline - wb.recent)::DOUBLE AS wellbeing_drop,
    coalesce(wb.low_recent, 0) AS low_answers_30d,
    wb.lowest_item AS lowest_item_30d,
    coalesce(wb.help_studies, 0) AS help_studies_3d,
    coalesce(wb.help_wellbeing, 0) AS help_wellbeing_3d,
    coalesce(wb.help_health, 0) AS help_health_3d,
    coalesce(wb.help_life, 0) AS help_life_situation_3d,
    risk.band AS risk_band,
    risk.probability AS risk_probability,
    risk.reasons AS risk_reasons,
    coalesce(iv.n, 0) AS interventions_60d,
    coalesce(unanswered.n, 0) AS unanswered_checkins_60d
  FROM active a
  LEFT JOIN att USING (student_id) LEFT JOIN cp USING (student_id) LEFT JOIN wb USING (student_id)
  LEFT JOIN risk USING (student_id) LEFT JOIN iv USING (student_id) LEFT JOIN unanswered USING (student_id)`;

/** An empty table with the facts' columns, for checking rule conditions without data. */
export function factsSchemaDdl(table: string): string {
  return `CREATE OR REPLACE TEMP TABLE ${table} (student_id VARCHAR, ${facts.map((x) => `${x.name} ${x.type}`).join(', ')})`;
}

/** Fact names appearing as words in a condition, in any case (for documentation; visibility is decided by binding). */
export function factsRead(condition: string): string[] {
  const words = new Set((condition.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).map((w) => w.toLowerCase()));
  return facts.filter((x) => words.has(x.name)).map((x) => x.name);
}

/** The facts something of `visibility` may read: those every role that sees it may see too. */
export function factsVisibleTo(visibility: Visibility): Fact[] {
  const cleared = rolesThatSee(visibility);
  return facts.filter((x) => cleared.every((r) => (rolesThatSee(x.visibility) as readonly string[]).includes(r)));
}

/** The name of the view of `table` that exposes only the facts `visibility` may read. */
export const factsViewName = (table: string, visibility: Visibility) => `${table}_${visibility}`;

/**
 * Views of a facts table, one per visibility class, each with student_id and only the facts
 * that class may read. A rule's condition runs against its class's view, so reading any other
 * fact — in any spelling, through COLUMNS(…) or a star — is a binder error, not a text match.
 */
export function factsViewsSql(table: string, extra: readonly string[] = []): string[] {
  return visibilityClasses.map(
    (v) => `CREATE OR REPLACE TEMP VIEW ${factsViewName(table, v)} AS SELECT student_id, ${[...factsVisibleTo(v).map((x) => x.name), ...extra].join(', ')} FROM ${table}`,
  );
}

/** Why a condition is not one predicate over the facts (no `;`, SELECT or FROM), or null. */
export function predicateShapeProblem(condition: string): string | null {
  return /;|\bselect\b|\bfrom\b/i.test(condition) ? 'must be one predicate over the student facts (no ;, SELECT or FROM).' : null;
}

/** Binds a condition against `table` without reading a row: DuckDB's first error line, or null. */
export async function predicateBindProblem(db: Warehouse, table: string, condition: string, params?: SqlParams): Promise<string | null> {
  try {
    await db.all(`SELECT student_id FROM ${table} WHERE (${condition}) LIMIT 0`, params);
    return null;
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause ?? err;
    return String((cause as Error).message ?? cause).split('\n')[0]!.replace(/^Failed to extract statements: /, '');
  }
}
