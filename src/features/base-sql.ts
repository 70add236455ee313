/**
 * Base aggregates per (student_id, as_of) of a panel table, one builder per data family. Every
 * row used is dated on or before `as_of` (weekly attendance only once its week has ended), so a
 * feature never sees what was not yet known. Feature expressions in models/features.yaml are
 * written over these columns.
 */

/** Background data and the student's study right as of the date. */
export const backgroundBaseSql = (panel: string) => `
  SELECT p.student_id, p.as_of,
    s.prior_gpa,
    -- Unknown background (empty or 'unknown', e.g. a provider starting from KOSKI) stays NULL:
    -- the forest's missing bin, information rather than zero.
    CASE s.prior_special_support WHEN 'special' THEN 2 WHEN 'intensified' THEN 1 WHEN 'none' THEN 0 END AS special_support_level,
    CASE WHEN s.first_choice THEN 0 WHEN NOT s.first_choice THEN 1 END AS not_first_choice,
    s.prior_interruptions,
    CASE s.admission_route WHEN 'continuous' THEN 1 WHEN 'joint' THEN 0 END AS continuous_intake,
    year(p.as_of) - s.birth_year AS age,
    CASE WHEN s.lives_independently THEN 1 WHEN NOT s.lives_independently THEN 0 END AS lives_independently,
    CASE WHEN s.education_type = 'vocational' THEN 1 ELSE 0 END AS vocational,
    date_diff('day', s.study_right_start, p.as_of) / 7.0 AS weeks_studied,
    date_diff('day', p.as_of, s.planned_end) / 7.0 AS weeks_to_planned_end
  FROM ${panel} p JOIN students s USING (student_id)`;

/** Pauses so far and whether the study right is paused on the date. */
export const studyRightBaseSql = (panel: string) => `
  SELECT p.student_id, p.as_of,
    count(*) FILTER (WHERE e.event = 'paused') AS pauses,
    coalesce(arg_max(e.event, e.date) FILTER (WHERE e.event IN ('paused', 'resumed', 'started')) = 'paused', false)::INTEGER AS paused_now
  FROM ${panel} p JOIN study_right_events e ON e.student_id = p.student_id AND e.date <= p.as_of
  GROUP BY p.student_id, p.as_of`;

/**
 * Attendance over the last 2 and 8 weeks. `$attendance_lag_days` is 6 for weekly rows (dated by
 * their Monday, known once the week is over) and 0 for daily rows.
 */
export const attendanceBaseSql = (panel: string) => `
  SELECT p.student_id, p.as_of,
    sum(a.absent_unexcused) FILTER (WHERE a.date > p.as_of - 14 - $attendance_lag_days) / nullif(sum(a.lessons_scheduled) FILTER (WHERE a.date > p.as_of - 14 - $attendance_lag_days), 0) AS unexcused_rate_2w,
    sum(a.absent_unexcused) / nullif(sum(a.lessons_scheduled), 0) AS unexcused_rate_8w,
    sum(a.absent_unexcused) FILTER (WHERE a.date <= p.as_of - 14 - $attendance_lag_days) / nullif(sum(a.lessons_scheduled) FILTER (WHERE a.date <= p.as_of - 14 - $attendance_lag_days), 0) AS unexcused_rate_earlier_6w,
    sum(a.absent_excused) / nullif(sum(a.lessons_scheduled), 0) AS excused_rate_8w,
    sum(a.late) / nullif(sum(a.lessons_scheduled), 0) AS late_rate_8w,
    count(*) FILTER (WHERE a.absent_unexcused > 0) AS periods_with_unexcused_8w,
    sum(a.lessons_scheduled) AS lessons_8w
  FROM ${panel} p JOIN attendance a
    ON a.student_id = p.student_id AND a.date + $attendance_lag_days <= p.as_of AND a.date > p.as_of - 56 - $attendance_lag_days
  GROUP BY p.student_id, p.as_of`;

/** Credits and course outcomes known on the date (the plan's dates are known in advance). */
export const courseBaseSql = (panel: string) => `
  SELECT p.student_id, p.as_of,
    coalesce(sum(c.credits) FILTER (WHERE c.completed_on <= p.as_of), 0) AS credits_earned,
    coalesce(sum(c.credits) FILTER (WHERE c.planned_end <= p.as_of AND position('#' IN c.course_id) = 0), 0) AS credits_planned_by_now,
    coalesce(sum(c.credits) FILTER (WHERE c.completed_on > p.as_of - 56 AND c.completed_on <= p.as_of), 0) AS credits_8w,
    coalesce(sum(c.credits) FILTER (WHERE c.completed_on > p.as_of - 112 AND c.completed_on <= p.as_of - 56), 0) AS credits_prev_8w,
    count(*) FILTER (WHERE c.status = 'failed' AND c.updated_at::DATE <= p.as_of) AS failed_units,
    count(*) FILTER (WHERE c.status = 'failed' AND c.updated_at::DATE <= p.as_of AND c.updated_at::DATE > p.as_of - 56) AS failed_units_8w,
    count(*) FILTER (WHERE c.planned_end < p.as_of AND (c.completed_on IS NULL OR c.completed_on > p.as_of)
                       AND NOT (c.status = 'failed' AND c.updated_at::DATE <= p.as_of)) AS overdue_units,
    date_diff('day', max(c.completed_on) FILTER (WHERE c.completed_on <= p.as_of), p.as_of) AS days_since_completion
  FROM ${panel} p JOIN course_progress c ON c.student_id = p.student_id AND c.planned_start <= p.as_of + 120
  GROUP BY p.student_id, p.as_of`;

/** Well-being answers (welfare data) and help requests known on the date. */
export const wellbeingBaseSql = (panel: string) => `
  WITH w AS (
    SELECT p.student_id, p.as_of, b.answered_at, b.source, b.item, b.value, b.need_help,
      dense_rank() OVER (PARTITION BY p.student_id, p.as_of, b.source ORDER BY b.answered_at::DATE DESC) AS recency
    FROM ${panel} p JOIN wellbeing b ON b.student_id = p.student_id AND b.answered_at::DATE <= p.as_of
  )
  SELECT student_id, as_of,
    avg(value) FILTER (WHERE source = 'check-in' AND item = 'mood' AND recency = 1) AS mood_last,
    avg(value) FILTER (WHERE source = 'check-in' AND item = 'mood' AND answered_at::DATE <= as_of - 56) AS mood_baseline,
    avg(value) FILTER (WHERE source = 'check-in' AND item = 'study_motivation' AND recency = 1) AS motivation_last,
    avg(value) FILTER (WHERE source = 'survey' AND recency = 1) AS survey_last,
    avg(value) FILTER (WHERE source = 'survey' AND recency = 2) AS survey_previous,
    count(*) FILTER (WHERE need_help AND answered_at::DATE > as_of - 90) AS help_requests_90d,
    date_diff('day', max(answered_at::DATE) FILTER (WHERE source = 'check-in'), as_of) AS days_since_checkin
  FROM w GROUP BY student_id, as_of`;

/** Support already given. */
export const interventionBaseSql = (panel: string) => `
  SELECT p.student_id, p.as_of,
    count(*) FILTER (WHERE i.date > p.as_of - 90) AS interventions_90d,
    date_diff('day', max(i.date), p.as_of) AS days_since_intervention
  FROM ${panel} p JOIN interventions i ON i.student_id = p.student_id AND i.date <= p.as_of
  GROUP BY p.student_id, p.as_of`;

/** Family CTE names and their builders, in the order they are joined. */
export const baseTables = {
  bg: backgroundBaseSql,
  sr: studyRightBaseSql,
  att: attendanceBaseSql,
  cp: courseBaseSql,
  wb: wellbeingBaseSql,
  iv: interventionBaseSql,
} as const;
