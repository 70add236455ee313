import type { Warehouse } from '../db/warehouse.js';
import { maySee } from '../core/roles.js';
import type { StoredTrigger } from '../triggers/visibility.js';

/**
 * Who may open what in the workspace. A student page opens only for staff responsible for the
 * student today (an assignment to the student or their group) or holding a live trigger about
 * them; a trigger only for a role that may see its kind, and only when it is routed to the
 * person or they hold its role for a student of theirs. Everything else is "not found", so a
 * guessed URL learns nothing. Content is then cut by the same views as digests and the CLI.
 */
export async function isMyStudent(db: Warehouse, staffId: string, studentId: string, today: string): Promise<boolean> {
  const row = await db.one(
    `SELECT 1 AS ok FROM students s WHERE s.student_id = $student AND (
       EXISTS (SELECT 1 FROM assignments a WHERE a.staff_id = $staff AND a.valid_from <= $today::DATE AND (a.valid_to IS NULL OR a.valid_to >= $today::DATE)
               AND (a.student_id = s.student_id OR a."group" = s."group"))
       OR EXISTS (SELECT 1 FROM triggers t WHERE t.student_id = s.student_id AND t.staff_id = $staff AND t.status IN ('open', 'acknowledged')))`,
    { student: studentId, staff: staffId, today },
  );
  return row !== undefined;
}

export async function mayOpenTrigger(db: Warehouse, t: StoredTrigger, staffId: string, roles: readonly string[], today: string): Promise<boolean> {
  if (!maySee(roles, t.visibility)) return false;
  if (t.staff_id === staffId) return true;
  return roles.includes(t.role) && (await isMyStudent(db, staffId, t.student_id, today));
}

/** The groups a staff member supervises today. */
export async function myGroups(db: Warehouse, staffId: string, today: string): Promise<string[]> {
  const rows = await db.all(
    `SELECT DISTINCT "group" AS g FROM assignments WHERE staff_id = $staff AND role = 'group_supervisor' AND "group" IS NOT NULL
       AND valid_from <= $today::DATE AND (valid_to IS NULL OR valid_to >= $today::DATE) ORDER BY 1`,
    { staff: staffId, today },
  );
  return rows.map((r) => String(r['g']));
}
