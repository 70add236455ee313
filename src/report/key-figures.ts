import { addDays } from '../core/dates.js';
import type { Warehouse } from '../db/warehouse.js';
import { academicStartYear, academicYearLabel } from './metrics.js';
import { suppressShare } from './suppress.js';
import { yearlyTablesAt, type ReportTable, type TableOptions } from './tables.js';

/**
 * The report's first page: a handful of key figures for this academic year so far, against last
 * year by the same date (a year in progress is compared with a year at the same point, never with
 * a whole year), last year in full and the national level. Every figure is a share computed from
 * the same suppressed tables as the rest of the report: a share whose counts are hidden is null
 * ("too few to estimate"), never worked out from hidden cells.
 */
export const keyMetrics = ['negative_exit_share', 'on_time_share', 'credits_vs_plan', 'attendance_rate', 'reached_within_7_days'] as const;
export type KeyMetric = (typeof keyMetrics)[number];

export interface KeyFigure {
  metric: KeyMetric;
  /** `all`, or an education type for the dropout share (the national level is by education type). */
  education_type: string;
  this_year: number | null;
  same_time_last_year: number | null;
  last_year: number | null;
  national: number | null;
  /** Which way is good: lower for dropping out, higher for the rest. */
  better: 'lower' | 'higher';
  /** How this year so far compares with last year by the same date. */
  direction: 'better' | 'worse' | 'same' | 'unknown';
}

export interface KeyFigures {
  /** The academic year in progress (e.g. 2025–26), the last one in full, and the date a year back. */
  this_year: string;
  last_year: string;
  same_day_last_year: string;
  figures: KeyFigure[];
}

/** A change smaller than this (in percentage points of a share) reads as "about the same". */
const SAME_WITHIN = 0.005;

const academicYear = (date: string) => academicYearLabel(academicStartYear(date));

export function directionOf(now: number | null, then: number | null, better: 'lower' | 'higher'): KeyFigure['direction'] {
  if (now === null || then === null) return 'unknown';
  if (Math.abs(now - then) < SAME_WITHIN) return 'same';
  return (now < then) === (better === 'lower') ? 'better' : 'worse';
}

/** Share of students reached (support recorded) within 7 days of their first trigger in the period, among those whose 7 days have passed. */
async function reachedWithin7Days(db: Warehouse, from: string, to: string, minCell: number): Promise<number | null> {
  const row = await db.one(
    `WITH first AS (
       SELECT student_id, min(opened_on) AS opened_on FROM triggers JOIN students USING (student_id)
       WHERE opened_on >= $from::DATE AND opened_on <= $to::DATE - 7 GROUP BY student_id
     )
     SELECT count(*) AS students,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM interventions i WHERE i.student_id = f.student_id AND i.date BETWEEN f.opened_on AND f.opened_on + 7)) AS reached
     FROM first f`,
    { from, to },
  );
  return suppressShare(Number(row?.['reached'] ?? 0), Number(row?.['students'] ?? 0), minCell);
}

/**
 * The key figures from the report's own yearly tables (same suppression: a figure hidden there is
 * "too few" here) and from the same tables built as of a year earlier.
 */
export async function keyFigures(db: Warehouse, o: TableOptions, tables: readonly ReportTable[], nationalBaseline: Record<string, number>): Promise<KeyFigures> {
  const lastYearDay = addDays(o.asOf, -365);
  const thisYear = academicYear(o.asOf);
  const lastYear = academicYear(lastYearDay);
  const yearStart = (date: string) => `${academicStartYear(date)}-08-01`;
  const earlier = (await yearlyTablesAt(db, { ...o, asOf: lastYearDay })).tables;
  const named = (from: readonly ReportTable[], name: string) => from.find((t) => t.name === name) ?? { rows: [] };
  const [now, then] = [named(tables, 'yearly_by_provider'), named(earlier, 'yearly_by_provider')];
  const [typesNow, typesThen] = [named(tables, 'yearly_by_education_type'), named(earlier, 'yearly_by_education_type')];
  const value = (rows: readonly Record<string, string | number | null>[], year: string, metric: string, type?: string) => {
    const r = rows.find((x) => x['academic_year'] === year && (type === undefined || x['education_type'] === type));
    const v = r?.[metric];
    return typeof v === 'number' ? v : null;
  };
  const figure = (metric: KeyMetric, educationType: string, better: 'lower' | 'higher', values: Omit<KeyFigure, 'metric' | 'education_type' | 'better' | 'direction'>): KeyFigure => ({
    metric, education_type: educationType, better, ...values, direction: directionOf(values.this_year, values.same_time_last_year, better),
  });
  const types = [...new Set(typesNow.rows.map((r) => String(r['education_type'])))].sort((a, b) => (a === 'vocational' ? -1 : b === 'vocational' ? 1 : a < b ? -1 : 1));
  const figures: KeyFigure[] = [];
  for (const type of types) {
    figures.push(figure('negative_exit_share', type, 'lower', {
      this_year: value(typesNow.rows, thisYear, 'negative_exit_share', type),
      same_time_last_year: value(typesThen.rows, lastYear, 'negative_exit_share', type),
      last_year: value(typesNow.rows, lastYear, 'negative_exit_share', type),
      national: nationalBaseline[type] ?? null,
    }));
  }
  for (const metric of ['on_time_share', 'credits_vs_plan', 'attendance_rate'] as const) {
    figures.push(figure(metric, 'all', 'higher', { this_year: value(now.rows, thisYear, metric), same_time_last_year: value(then.rows, lastYear, metric), last_year: value(now.rows, lastYear, metric), national: null }));
  }
  figures.push(figure('reached_within_7_days', 'all', 'higher', {
    this_year: await reachedWithin7Days(db, yearStart(o.asOf), o.asOf, o.minCell),
    same_time_last_year: await reachedWithin7Days(db, yearStart(lastYearDay), lastYearDay, o.minCell),
    last_year: await reachedWithin7Days(db, yearStart(lastYearDay), `${academicStartYear(lastYearDay) + 1}-07-31`, o.minCell),
    national: null,
  }));
  return { this_year: thisYear, last_year: lastYear, same_day_last_year: lastYearDay, figures };
}

/** The key figures of the last report built before this one (same scope), from the warehouse. */
export async function previousKeyFigures(db: Warehouse, asOf: string, scope: string): Promise<{ as_of: string; figures: Map<string, number | null> } | null> {
  const last = await db.one(`SELECT strftime(max(as_of), '%Y-%m-%d') AS d FROM report_key_figures WHERE as_of < $as_of::DATE AND scope = $scope`, { as_of: asOf, scope });
  const d = last?.['d'];
  if (typeof d !== 'string') return null;
  const rows = await db.all(`SELECT metric, education_type, academic_year, value FROM report_key_figures WHERE as_of = $d::DATE AND scope = $scope`, { d, scope });
  return { as_of: d, figures: new Map(rows.map((r) => [`${String(r['metric'])}|${String(r['education_type'])}|${String(r['academic_year'])}`, r['value'] === null ? null : Number(r['value'])])) };
}

/** Keeps this report's key figures, so the next report can say what changed. */
export async function storeKeyFigures(db: Warehouse, asOf: string, scope: string, k: KeyFigures): Promise<void> {
  await db.run(`DELETE FROM report_key_figures WHERE as_of = $as_of::DATE AND scope = $scope`, { as_of: asOf, scope });
  for (const f of k.figures) {
    await db.run(`INSERT INTO report_key_figures VALUES ($as_of::DATE, $scope, $metric, $type, $year, $value::DOUBLE)`, { as_of: asOf, scope, metric: f.metric, type: f.education_type, year: k.this_year, value: f.this_year });
  }
}
