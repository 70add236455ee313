import { ident } from '../db/sql.js';
import type { Warehouse } from '../db/warehouse.js';
import { studentTables } from './subject-access.js';
import { exitEvents, sqlList } from '../core/vocabulary.js';

export interface RetentionOptions {
  asOf: string;
  yearsAfterExit: number;
  auditYears: number;
  dryRun: boolean;
}

export interface RetentionSummary {
  as_of: string;
  dry_run: boolean;
  /** Students whose study right ended before this date lose their data. */
  exited_before: string;
  students: number;
  rows: Record<string, number>;
  audit_rows_expired: number;
  sign_in_rows_expired: number;
}

/**
 * Removes the data of students whose study right ended (graduated, resigned, transferred) more
 * than `yearsAfterExit` years ago, from every table with a student_id column plus their trigger
 * history and the quarantined rows naming them, in one transaction. The audit log is kept (its
 * own retention is `auditYears`); used sign-in links and ended sessions older than 30 days go.
 */
export async function applyRetention(db: Warehouse, o: RetentionOptions): Promise<RetentionSummary> {
  const months = Math.round(o.yearsAfterExit * 12);
  const cutoff = String((await db.one(`SELECT strftime($d::DATE - to_months($m::INTEGER), '%Y-%m-%d') AS d`, { d: o.asOf, m: months }))!['d']);
  const auditCutoff = String((await db.one(`SELECT strftime($d::DATE - to_months($m::INTEGER), '%Y-%m-%d') AS d`, { d: o.asOf, m: Math.round(o.auditYears * 12) }))!['d']);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _retired AS
     WITH ended AS (
       SELECT student_id, max(date) AS end_date, arg_max(event, date) AS last_event FROM study_right_events GROUP BY student_id
     )
     SELECT student_id FROM ended WHERE last_event IN (${sqlList(exitEvents)}) AND end_date < $cutoff::DATE`,
    { cutoff },
  );
  const summary: RetentionSummary = {
    as_of: o.asOf, dry_run: o.dryRun, exited_before: cutoff,
    students: Number((await db.one(`SELECT count(*) AS n FROM _retired`))!['n']),
    rows: {}, audit_rows_expired: 0, sign_in_rows_expired: 0,
  };
  const tables = (await studentTables(db)).filter((t) => t !== 'audit_log');
  // The rows a condition picks: counted on a dry run, deleted (and so counted) otherwise.
  const remove = async (table: string, where: string, params: Record<string, string> = {}) =>
    o.dryRun ? Number((await db.one(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params))!['n']) : db.run(`DELETE FROM ${table} WHERE ${where}`, params);
  const work = async () => {
    summary.rows['trigger_events'] = await remove('trigger_events', `trigger_id IN (SELECT trigger_id FROM triggers WHERE student_id IN (SELECT student_id FROM _retired))`);
    summary.rows['quarantine'] = await remove('quarantine q', `EXISTS (SELECT 1 FROM _retired r WHERE contains(q.row_json, to_json(r.student_id)::VARCHAR))`);
    // students last: the others are found through it.
    for (const t of [...tables.filter((x) => x !== 'students'), 'students']) summary.rows[t] = await remove(ident(t), `student_id IN (SELECT student_id FROM _retired)`);
    summary.audit_rows_expired = await remove('audit_log', `logged_at < $c::DATE`, { c: auditCutoff });
    summary.sign_in_rows_expired =
      (await remove('web_links', `expires_at < $d::DATE - 30`, { d: o.asOf })) + (await remove('web_sessions', `coalesce(ended_at, last_seen_at) < $d::DATE - 30`, { d: o.asOf }));
  };
  if (o.dryRun) await work();
  else await db.transaction(work);
  await db.run(`DROP TABLE IF EXISTS _retired`);
  return summary;
}
