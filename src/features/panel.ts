import type { Warehouse } from '../db/warehouse.js';
import { ident } from '../db/sql.js';
import { exitEvents, negativeExits, sqlList } from '../core/vocabulary.js';
import { localDate } from '../core/dates.js';

/** Exits that end a study right; the first two are negative exits (negatiivinen ero). */
export { negativeExits, exitEvents } from '../core/vocabulary.js';

/**
 * Snapshot dates for a training panel: the 15th of each teaching month (September–May) from
 * the first study-right start to `asOf`.
 */
export const snapshotDatesSql = `
  SELECT CAST(d + INTERVAL 14 DAY AS DATE) AS as_of
  FROM range(date_trunc('month', (SELECT min(study_right_start) FROM students))::TIMESTAMP, $as_of::TIMESTAMP, INTERVAL 1 MONTH) t(d)
  WHERE month(d) NOT IN (6, 7, 8) AND CAST(d + INTERVAL 14 DAY AS DATE) <= $as_of::DATE`;

/**
 * Students active on each snapshot date (started, not yet exited) with the label: a negative
 * exit within `$horizon` days after the date. `censored` marks dates whose horizon reaches past
 * `$as_of`, the last day of known data: their labels are unknown and they are never trained on.
 */
export function panelSql(table: string, snapshots: string): string {
  return `
  CREATE OR REPLACE TEMP TABLE ${ident(table)} AS
  WITH exits AS (
    SELECT student_id, min(date) AS exit_date, arg_min(event, date) AS exit_event
    FROM study_right_events WHERE event IN (${sqlList(exitEvents)}) AND date <= $as_of::DATE
    GROUP BY student_id
  )
  SELECT s.student_id, sn.as_of,
    CASE WHEN x.exit_event IN (${sqlList(negativeExits)}) AND x.exit_date <= sn.as_of + $horizon::INTEGER THEN 1 ELSE 0 END AS label,
    sn.as_of + $horizon::INTEGER > $as_of::DATE AS censored,
    x.exit_date, x.exit_event
  FROM students s CROSS JOIN (${snapshots}) sn LEFT JOIN exits x USING (student_id)
  WHERE s.study_right_start <= sn.as_of AND (x.exit_date IS NULL OR x.exit_date > sn.as_of)
  ORDER BY sn.as_of, s.student_id`;
}

/** A one-date panel for scoring: every student active on `$as_of`. */
export function scoringPanelSql(table: string): string {
  return panelSql(table, 'SELECT $as_of::DATE AS as_of');
}

/** The last day with data in the warehouse (default training and scoring date). */
export async function latestDataDate(db: Warehouse): Promise<string | null> {
  const row = await db.one(`SELECT strftime(greatest(
      (SELECT max(date) FROM study_right_events), (SELECT max(date) FROM attendance),
      (SELECT max(answered_at)::DATE FROM wellbeing), (SELECT max(completed_on) FROM course_progress)), '%Y-%m-%d') AS d`);
  return (row?.['d'] as string | null) ?? null;
}

/**
 * The one rule for the date a command works on: the date given, else the latest day with data,
 * else today in Finland (by the injected clock). Every command and stage asks this.
 */
export async function resolveAsOf(db: Warehouse, explicit: string | undefined, clock: () => Date): Promise<string> {
  return explicit ?? (await latestDataDate(db)) ?? localDate(clock());
}

/** 6 when attendance is weekly (every row dated on a Monday), else 0: see base-sql.ts. */
export async function attendanceLagDays(db: Warehouse): Promise<number> {
  const row = await db.one(`SELECT count(*) AS n, count(*) FILTER (WHERE isodow(date) = 1) AS mondays FROM (SELECT date FROM attendance USING SAMPLE 10000)`);
  const n = Number(row?.['n'] ?? 0);
  return n > 0 && Number(row?.['mondays']) / n >= 0.98 ? 6 : 0;
}
