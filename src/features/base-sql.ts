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
    -- The grade scale of the student's education (1–5 vocational, 4–10 upper secondary): its
    -- lowest pass and its span, which put grades on one scale from 0 to 1.
    CASE WHEN s.education_type = 'vocational' THEN 1 ELSE 4 END AS grade_lowest,
    CASE WHEN s.education_type = 'vocational' THEN 4 ELSE 6 END AS grade_span,
    date_diff('day', s.study_right_start, p.as_of) / 7.0 AS weeks_studied,
    -- The month of the school year (August 1, September 2 … July 12).
    (month(p.as_of) + 4) % 12 + 1 AS month_of_school_year,
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
    date_diff('day', max(c.completed_on) FILTER (WHERE c.completed_on <= p.as_of), p.as_of) AS days_since_completion,
    -- Numeric grades as given (1–5 vocational, 4–10 upper secondary; S, H and words are not
    -- numbers), of rows last changed by the date: a grade raised later was not known then.
    avg(TRY_CAST(c.grade AS DOUBLE)) FILTER (WHERE c.completed_on <= p.as_of AND c.updated_at::DATE <= p.as_of) AS grade_average,
    avg(TRY_CAST(c.grade AS DOUBLE)) FILTER (WHERE c.completed_on > p.as_of - 56 AND c.completed_on <= p.as_of AND c.updated_at::DATE <= p.as_of) AS grade_average_8w
  FROM ${panel} p JOIN course_progress c ON c.student_id = p.student_id AND c.planned_start <= p.as_of + 120
  GROUP BY p.student_id, p.as_of`;

/**
 * Well-being answers (welfare data) and help requests known on the date. Answers are summed per
 * student, source and day first (a few rows a student), then each panel row takes the latest day
 * on or before its date by an as-of join: the last check-in (mood, motivation, days since), the
 * last survey and the one before it, running sums up to 56 days before (the mood baseline) and
 * help requests up to the date and up to 90 days before. A window over every panel row × answer
 * pair did the same nationally in most of the features' three minutes.
 */
export const wellbeingBaseSql = (panel: string) => `
  WITH days AS (
    SELECT student_id, source, answered_at::DATE AS day,
      avg(value) FILTER (WHERE item = 'mood') AS mood,
      avg(value) FILTER (WHERE item = 'study_motivation') AS motivation,
      avg(value) AS value,
      sum(value) FILTER (WHERE item = 'mood') AS mood_sum,
      count(value) FILTER (WHERE item = 'mood') AS mood_count,
      count(*) FILTER (WHERE need_help) AS help
    FROM wellbeing WHERE student_id IN (SELECT student_id FROM ${panel})
    GROUP BY student_id, source, day
  ),
  by_source AS (
    SELECT *,
      lag(value) OVER (PARTITION BY student_id, source ORDER BY day) AS previous_value,
      sum(mood_sum) OVER (PARTITION BY student_id, source ORDER BY day ROWS UNBOUNDED PRECEDING) AS mood_sum_so_far,
      sum(mood_count) OVER (PARTITION BY student_id, source ORDER BY day ROWS UNBOUNDED PRECEDING) AS mood_count_so_far
    FROM days
  ),
  checkin AS (SELECT * FROM by_source WHERE source = 'check-in'),
  survey AS (SELECT * FROM by_source WHERE source = 'survey'),
  help AS (
    SELECT student_id, day, sum(sum(help)) OVER (PARTITION BY student_id ORDER BY day ROWS UNBOUNDED PRECEDING) AS help_so_far
    FROM days GROUP BY student_id, day
  )
  SELECT p.student_id, p.as_of,
    c.mood AS mood_last,
    b.mood_sum_so_far / nullif(b.mood_count_so_far, 0) AS mood_baseline,
    c.motivation AS motivation_last,
    s.value AS survey_last,
    s.previous_value AS survey_previous,
    h.help_so_far - coalesce(h90.help_so_far, 0) AS help_requests_90d,
    date_diff('day', c.day, p.as_of) AS days_since_checkin
  FROM ${panel} p
  ASOF LEFT JOIN checkin c ON c.student_id = p.student_id AND p.as_of >= c.day
  ASOF LEFT JOIN checkin b ON b.student_id = p.student_id AND p.as_of - 56 >= b.day
  ASOF LEFT JOIN survey s ON s.student_id = p.student_id AND p.as_of >= s.day
  ASOF LEFT JOIN help h ON h.student_id = p.student_id AND p.as_of >= h.day
  ASOF LEFT JOIN help h90 ON h90.student_id = p.student_id AND p.as_of - 90 >= h90.day`;

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
