import { ident } from '../db/sql.js';
import { exitEvents, negativeExits, sqlList } from '../core/vocabulary.js';

/** Dimensions a leadership report breaks metrics down by, coarsest first (a dimension's index is its level: finer ones absorb suppression first). */
export const reportDimensions = ['provider', 'education_type', 'unit', 'programme', 'group'] as const;
export type ReportDimension = (typeof reportDimensions)[number];

/** The academic year (1 Aug – 31 Jul) a date falls in, by its starting calendar year. */
export const academicStartYear = (date: string): number => Number(date.slice(0, 4)) - (Number(date.slice(5, 7)) >= 8 ? 0 : 1);

/** An academic year as the report names it: 2025–26. */
export const academicYearLabel = (startYear: number): string => `${startYear}–${String(startYear + 1).slice(2)}`;

/** The parts of a `finest` value, in order. */
export const finestParts = ['education_type', 'unit', 'programme', 'group'] as const;

/**
 * `finest`: every breakdown at once, one row per education type × unit × programme × group (the
 * values joined by U+001F), from which the coarser breakdowns are summed: one pass over the data.
 */
const dimensionSql = (d: ReportDimension | 'finest') => (d === 'provider' ? `'all'` : d === 'finest' ? 's.finest_cell' : `s.${ident(d)}`);
/** For `finest`, each student's cell as a small integer (grouping by it is cheap), named back at the end. */
const finestLabel = finestParts.map((p) => `coalesce(${ident(p)}, '')`).join(` || chr(31) || `);

/**
 * The national model's yearly metrics per academic year (1 Aug – 31 Jul) and dimension value,
 * Statistics Finland style: students present on the census day (20 Sep), of them those whose
 * study right ended negatively (resigned, deemed resigned) during the year, positive exits
 * (graduated, transferred), completion on time (graduated by planned_end + `$grace_days` among
 * those planned to finish that year), credits earned against credits planned to end in the year,
 * and attendance. Counts only: shares are computed after small-cell suppression.
 */
export function yearlyMetricsSql(dimension: ReportDimension | 'finest'): string {
  const finest = dimension === 'finest';
  const students = finest ? 'student_cells' : 'students';
  return `
  WITH ${finest ? `student_cells AS (SELECT *, ${finestLabel} AS finest_label, dense_rank() OVER (ORDER BY ${finestLabel}) AS finest_cell FROM students),` : ''}
  years AS (
    SELECT y AS start_year, make_date(y, 8, 1) AS year_start, make_date(y + 1, 7, 31) AS year_end, make_date(y, 9, 20) AS census_day
    FROM range(year((SELECT min(study_right_start) FROM students)) - 1, year($as_of::DATE) + 1) t(y)
    WHERE make_date(y, 9, 20) <= $as_of::DATE
  ),
  ends AS (
    SELECT student_id, min(date) AS end_date, arg_min(event, date) AS end_event
    FROM study_right_events WHERE event IN (${sqlList(exitEvents)}) GROUP BY student_id
  ),
  present AS (
    SELECT y.start_year, s.student_id, ${dimensionSql(dimension)} AS value, e.end_date, e.end_event, y.year_start, y.year_end
    FROM years y JOIN ${students} s ON s.study_right_start <= y.census_day
    LEFT JOIN ends e USING (student_id)
    WHERE e.end_date IS NULL OR e.end_date > y.census_day
  ),
  planned AS (
    SELECT y.start_year, ${dimensionSql(dimension)} AS value, count(*) AS due,
      count(*) FILTER (WHERE e.end_event = 'graduated' AND e.end_date <= s.planned_end + $grace_days::INTEGER) AS on_time
    FROM years y JOIN ${students} s ON s.planned_end BETWEEN y.year_start AND y.year_end
    LEFT JOIN ends e USING (student_id)
    WHERE s.planned_end + $grace_days::INTEGER <= $as_of::DATE
    GROUP BY ALL
  ),
  credits AS (
    SELECT y.start_year, ${dimensionSql(dimension)} AS value,
      sum(c.credits) FILTER (WHERE c.completed_on BETWEEN y.year_start AND least(y.year_end, $as_of::DATE)) AS earned,
      sum(c.credits) FILTER (WHERE c.planned_end BETWEEN y.year_start AND least(y.year_end, $as_of::DATE) AND position('#' IN c.course_id) = 0) AS planned
    FROM years y JOIN course_progress c ON c.planned_end BETWEEN y.year_start AND y.year_end OR c.completed_on BETWEEN y.year_start AND y.year_end
    JOIN ${students} s USING (student_id)
    GROUP BY ALL
  ),
  attendance AS (
    SELECT y.start_year, ${dimensionSql(dimension)} AS value, sum(a.lessons_scheduled) AS lessons,
      sum(a.absent_excused) AS excused, sum(a.absent_unexcused) AS unexcused
    FROM years y JOIN attendance a ON a.date BETWEEN y.year_start AND least(y.year_end, $as_of::DATE)
    JOIN ${students} s USING (student_id)
    GROUP BY ALL
  ),
  exits AS (
    SELECT start_year, value, count(*) AS present,
      count(*) FILTER (WHERE end_event IN (${sqlList(negativeExits)}) AND end_date <= least(year_end, $as_of::DATE)) AS negative_exits,
      count(*) FILTER (WHERE end_event = 'graduated' AND end_date <= least(year_end, $as_of::DATE)) AS graduated,
      count(*) FILTER (WHERE end_event = 'transferred' AND end_date <= least(year_end, $as_of::DATE)) AS transferred
    FROM present GROUP BY ALL
  )
  SELECT x.start_year || '–' || right((x.start_year + 1)::VARCHAR, 2) AS academic_year, x.start_year,
    ${finest ? 'n.finest_label' : 'x.value'} AS value,
    x.present, x.negative_exits, x.graduated, x.transferred,
    coalesce(p.due, 0) AS due_to_finish, coalesce(p.on_time, 0) AS finished_on_time,
    coalesce(c.earned, 0) AS credits_earned, coalesce(c.planned, 0) AS credits_planned,
    coalesce(a.lessons, 0) AS lessons, coalesce(a.excused, 0) AS absent_excused, coalesce(a.unexcused, 0) AS absent_unexcused,
    least(x.start_year + 1, year($as_of::DATE)) = year($as_of::DATE) AND $as_of::DATE < make_date(x.start_year + 1, 7, 31) AS year_in_progress
  FROM exits x
  LEFT JOIN planned p USING (start_year, value) LEFT JOIN credits c USING (start_year, value) LEFT JOIN attendance a USING (start_year, value)
  ${finest ? 'LEFT JOIN (SELECT DISTINCT finest_cell, finest_label FROM student_cells) n ON n.finest_cell = x.value' : ''}
  ORDER BY x.start_year, x.value`;
}
