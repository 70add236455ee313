import { exitEvents, sqlList } from '../core/vocabulary.js';
import type { Warehouse } from '../db/warehouse.js';

/** The groups a staff member supervises today. */
export async function myGroups(db: Warehouse, staffId: string, today: string): Promise<string[]> {
  // Only the staff id in SQL: DuckDB then uses the index on it (another condition makes it scan).
  const rows = await db.all(
    `SELECT role, "group" AS g, strftime(valid_from, '%Y-%m-%d') AS valid_from, strftime(valid_to, '%Y-%m-%d') AS valid_to FROM assignments WHERE staff_id = $staff`,
    { staff: staffId },
  );
  const groups = rows
    .filter((r) => r['role'] === 'group_supervisor' && r['g'] !== null && String(r['valid_from']) <= today && (r['valid_to'] === null || String(r['valid_to']) >= today))
    .map((r) => String(r['g']));
  return [...new Set(groups)].sort();
}

/**
 * Who may open what in the workspace. A student page opens only for staff responsible for the
 * student today (an assignment to the student or their group) or holding a live trigger about
 * them; a trigger only for a role that may see its kind, and only when it is routed to the
 * person or they hold its role for a student of theirs. Everything else is "not found", so a
 * guessed URL learns nothing. Content is then cut by the same views as digests and the CLI.
 *
 * This returns the students whose page this staff member may open today (the app caches it
 * briefly); the trigger rule is in app.ts (`mayOpen`).
 */
export async function myStudents(db: Warehouse, staffId: string, today: string, daysAfterExit: number): Promise<Set<string>> {
  // Access follows the study right: once it has ended (its latest event an exit) more than
  // `daysAfterExit` days ago, an assignment no longer opens the page (group assignments have no
  // end of their own); a live trigger routed to this person still does.
  const rows = await db.all(
    `WITH mine AS (
       SELECT student_id, "group" FROM assignments
       WHERE staff_id = $staff AND valid_from <= $today::DATE AND (valid_to IS NULL OR valid_to >= $today::DATE)
     ),
     assigned AS (
       SELECT student_id FROM mine WHERE student_id IS NOT NULL
       UNION SELECT s.student_id FROM students s JOIN mine m ON m."group" = s."group"
     ),
     left_long_ago AS (
       SELECT student_id FROM study_right_events
       WHERE student_id IN (SELECT student_id FROM assigned) AND date <= $today::DATE
       GROUP BY student_id
       HAVING arg_max(event, date) IN (${sqlList(exitEvents)}) AND max(date) < $today::DATE - to_days($grace::INTEGER)
     )
     SELECT student_id FROM assigned WHERE student_id NOT IN (SELECT student_id FROM left_long_ago)
     UNION SELECT student_id FROM triggers WHERE staff_id = $staff AND status IN ('open', 'acknowledged')`,
    { staff: staffId, today, grace: daysAfterExit },
  );
  return new Set(rows.map((r) => String(r['student_id'])));
}
