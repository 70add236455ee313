import type { Warehouse } from '../db/warehouse.js';

/** What the audit log records: every look at a student's data and every change, by whom, from where. */
export const auditActions = [
  'sign_in_link_requested', 'signed_in', 'sign_in_refused', 'signed_out',
  'viewed_triggers', 'viewed_trigger', 'viewed_student', 'viewed_group', 'viewed_report', 'viewed_admin',
  'acknowledged_trigger', 'resolved_trigger', 'handed_over_trigger', 'took_trigger', 'recorded_intervention', 'denied', 'subject_access_exported', 'retention_applied',
] as const;
export type AuditAction = (typeof auditActions)[number];

export interface AuditEntry {
  staff_id: string | null;
  action: AuditAction;
  student_id?: string | null | undefined;
  object_id?: string | null | undefined;
  client?: string | null | undefined;
  detail?: string | null | undefined;
}

export async function recordAudit(db: Warehouse, e: AuditEntry, now: Date): Promise<void> {
  await db.run(`INSERT INTO audit_log VALUES ($at::TIMESTAMP, $staff::VARCHAR, $action, $student::VARCHAR, $object::VARCHAR, $client::VARCHAR, $detail::VARCHAR)`, {
    at: now.toISOString(), staff: e.staff_id, action: e.action, student: e.student_id ?? null, object: e.object_id ?? null, client: e.client ?? null, detail: e.detail ?? null,
  });
}

export interface AuditRow {
  at: string;
  staff_id: string | null;
  action: string;
  student_id: string | null;
  object_id: string | null;
  client: string | null;
  detail: string | null;
}

/** The audit log, newest first, for the data protection officer. */
export async function listAudit(db: Warehouse, o: { student?: string | undefined; staff?: string | undefined; since?: string | undefined; limit: number }): Promise<AuditRow[]> {
  const where = ['1 = 1'];
  const params: Record<string, string | number> = { limit: o.limit };
  if (o.student) (where.push('student_id = $student'), (params['student'] = o.student));
  if (o.staff) (where.push('staff_id = $staff'), (params['staff'] = o.staff));
  if (o.since) (where.push('logged_at >= $since::DATE'), (params['since'] = o.since));
  return db.all<AuditRow & Record<string, string | null>>(
    `SELECT strftime(logged_at, '%Y-%m-%d %H:%M:%S') AS "at", staff_id, action, student_id, object_id, client, detail
     FROM audit_log WHERE ${where.join(' AND ')} ORDER BY logged_at DESC LIMIT $limit`,
    params,
  );
}
