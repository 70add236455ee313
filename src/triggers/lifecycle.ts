import { letterId } from './ids.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { addDays, isCalendarDate, localDate, plausibleDates } from '../core/dates.js';
import { isStaffRole, isWelfareRole, maySee, rolesThatSee, type Visibility } from '../core/roles.js';
import type { Warehouse } from '../db/warehouse.js';
import { routeOpenTriggersSql } from './routing.js';
import { viewIntervention, viewTrigger, coordinatorViewer, type StoredIntervention, type StoredTrigger, type TriggerListRow, type TriggerView, type ViewContext, type Viewer } from './visibility.js';

export const triggerStatuses = ['open', 'acknowledged', 'resolved', 'expired'] as const;
export type TriggerStatus = (typeof triggerStatuses)[number];

/** How a staff member may close a trigger. */
import { resolutionOutcomes, type ResolutionOutcome } from '../core/vocabulary.js';
export { resolutionOutcomes, type ResolutionOutcome };

const triggerColumns = `trigger_id, rule_id, family, visibility, severity, student_id, first_role, role, staff_id, routed_via, status,
  strftime(opened_on, '%Y-%m-%d') AS opened_on, strftime(last_seen_on, '%Y-%m-%d') AS last_seen_on, evidence,
  strftime(escalated_on, '%Y-%m-%d') AS escalated_on, strftime(acknowledged_on, '%Y-%m-%d') AS acknowledged_on, acknowledged_by,
  strftime(closed_on, '%Y-%m-%d') AS closed_on, closed_by, outcome, intervention_id`;

/** Orders two text values (dates as YYYY-MM-DD, ids) as ORDER BY does; the columns sorted on are never empty. */
function compareText(a: unknown, b: unknown): number {
  const [x, y] = [a === null || a === undefined ? '' : String(a), b === null || b === undefined ? '' : String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The columns a list of triggers needs (no evidence): TriggerListRow. */
const listColumns = `trigger_id, student_id, rule_id, family, visibility, severity, role, staff_id, status,
  strftime(opened_on, '%Y-%m-%d') AS opened_on, strftime(escalated_on, '%Y-%m-%d') AS escalated_on`;

/** Open and acknowledged triggers opened on or before a date and routed to someone (one staff member, or all), with `columns`. */
function liveRouted(db: Warehouse, columns: string, asOf: string, staffId: string | undefined) {
  return db.all(
    `SELECT ${columns} FROM triggers WHERE status IN ('open', 'acknowledged') AND opened_on <= $as_of::DATE AND staff_id IS NOT NULL
     ${staffId !== undefined ? 'AND staff_id = $staff' : ''} ORDER BY staff_id, opened_on DESC, trigger_id`,
    staffId !== undefined ? { as_of: asOf, staff: staffId } : { as_of: asOf },
  );
}

/** Open and acknowledged triggers opened on or before a date and routed to someone (one staff member, or all). */
export async function liveRoutedTriggers(db: Warehouse, asOf: string, staffId?: string): Promise<StoredTrigger[]> {
  return (await liveRouted(db, triggerColumns, asOf, staffId)) as unknown as StoredTrigger[];
}

/** A staff member's live, routed triggers as a list needs them (no evidence): cheap for a long caseload. */
export async function liveRoutedList(db: Warehouse, asOf: string, staffId: string): Promise<TriggerListRow[]> {
  return (await liveRouted(db, listColumns, asOf, staffId)) as unknown as TriggerListRow[];
}

/** One trigger as stored, or undefined. Callers decide who may see it (visibility.ts). */
export async function storedTrigger(db: Warehouse, id: string): Promise<StoredTrigger | undefined> {
  return (await db.one(`SELECT ${triggerColumns} FROM triggers WHERE trigger_id = $id`, { id })) as unknown as StoredTrigger | undefined;
}

/** The roles of a staff member; NOT_FOUND when the warehouse has no such person. */
async function staffRolesOf(db: Warehouse, staffId: string): Promise<string[]> {
  const row = await db.one(`SELECT roles FROM staff WHERE staff_id = $id`, { id: staffId });
  if (!row) throw new KiinniError(ErrorCode.NotFound, `No staff member ${staffId} in the warehouse.`, 'Load staff.csv first.');
  return (row['roles'] as string[]) ?? [];
}

/**
 * Who is looking, from `--role` and/or `--staff`: a staff member sees with all their roles (or
 * only the one named), a bare role sees as that role, and nobody named is the data coordinator.
 */
export async function resolveViewer(db: Warehouse, opts: { role?: string | undefined; staff?: string | undefined }): Promise<Viewer> {
  if (opts.role !== undefined && !isStaffRole(opts.role)) throw new KiinniError(ErrorCode.Usage, `--role: unknown role ${opts.role}.`, "See 'kiinni contracts staff' for the roles.");
  if (opts.staff === undefined) return opts.role ? { roles: [opts.role] } : coordinatorViewer;
  const roles = await staffRolesOf(db, opts.staff);
  if (opts.role && !roles.includes(opts.role)) throw new KiinniError(ErrorCode.Usage, `Staff member ${opts.staff} does not hold the role ${opts.role}.`);
  return { roles: opts.role ? [opts.role] : roles, staffId: opts.staff };
}

export interface ListOptions {
  status?: string | undefined;
  student?: string | undefined;
  rule?: string | undefined;
  /** Only triggers currently for this role. */
  role?: string | undefined;
  /** Only triggers routed to this staff member. */
  staff?: string | undefined;
  /** Only triggers with nobody to route to. */
  unrouted?: boolean | undefined;
  limit?: number | undefined;
}

/** Triggers as `viewer` may see them, newest first; what they may not see is left out entirely. */
export async function listTriggers(db: Warehouse, viewer: Viewer, opts: ListOptions, ctx: ViewContext): Promise<TriggerView[]> {
  if (opts.status !== undefined && !(triggerStatuses as readonly string[]).includes(opts.status)) {
    throw new KiinniError(ErrorCode.Usage, `--status: expected one of ${triggerStatuses.join(', ')}.`);
  }
  const where = ['1 = 1'];
  const params: Record<string, string | number> = {};
  const add = (sql: string, name: string, value: string | undefined) => {
    if (value === undefined) return;
    where.push(sql);
    params[name] = value;
  };
  add('status = $status', 'status', opts.status);
  add('student_id = $student', 'student', opts.student);
  add('rule_id = $rule', 'rule', opts.rule);
  add('role = $role', 'role', opts.role);
  add('staff_id = $staff', 'staff', opts.staff);
  if (opts.unrouted) where.push('staff_id IS NULL');
  // Newest first, sorted here: a sort in DuckDB costs a page's point read more than its rows.
  const rows = (await db.all(`SELECT ${triggerColumns} FROM triggers WHERE ${where.join(' AND ')}`, params)).sort(
    (a, b) => compareText(b['opened_on'], a['opened_on']) || compareText(a['trigger_id'], b['trigger_id']),
  );
  const views: TriggerView[] = [];
  for (const row of rows) {
    const v = viewTrigger(row as unknown as StoredTrigger, viewer, ctx);
    if (v) views.push(v);
    if (opts.limit !== undefined && views.length >= opts.limit) break;
  }
  return views;
}

/** One trigger with its history, as `viewer` may see it; not found when they may not. */
export async function showTrigger(db: Warehouse, id: string, viewer: Viewer, ctx: ViewContext): Promise<TriggerView & { history: { on_date: string; event: string; role: string | null; staff_id: string | null }[] }> {
  const row = await storedTrigger(db, id);
  const view = row ? viewTrigger(row, viewer, ctx) : null;
  // A trigger the viewer may not see is reported exactly like one that does not exist.
  if (!view) throw new KiinniError(ErrorCode.NotFound, `No trigger ${id} visible to you.`, "List yours with 'kiinni triggers list --staff ID'.");
  const history = await db.all(`SELECT strftime(on_date, '%Y-%m-%d') AS on_date, event, role, staff_id FROM trigger_events WHERE trigger_id = $id ORDER BY recorded_at, on_date`, { id });
  return { ...view, history: history as { on_date: string; event: string; role: string | null; staff_id: string | null }[] };
}

async function triggerForStaff(db: Warehouse, id: string, staffId: string, roles?: string[]): Promise<{ t: StoredTrigger; roles: string[] }> {
  roles ??= await staffRolesOf(db, staffId);
  const t = await storedTrigger(db, id);
  if (!t || !maySee(roles, t.visibility)) throw new KiinniError(ErrorCode.NotFound, `No trigger ${id} visible to ${staffId}.`);
  if (t.staff_id !== staffId && !roles.includes(t.role) && !roles.includes(t.first_role)) {
    throw new KiinniError(ErrorCode.Usage, `Trigger ${id} is for the role ${t.role}; ${staffId} does not hold it.`, 'The staff member it is routed to, or someone in its role, can act on it.');
  }
  return { t, roles };
}

/** open → acknowledged: someone has seen the trigger and will act. Stops escalation. */
export async function acknowledgeTrigger(db: Warehouse, id: string, staffId: string, onDate: string, now: Date): Promise<{ id: string; status: TriggerStatus }> {
  const { t } = await triggerForStaff(db, id, staffId);
  if (t.status !== 'open') throw new KiinniError(ErrorCode.Usage, `Trigger ${id} is ${t.status}, not open.`);
  await db.transaction(async () => {
    // Still open: a request beside this one may have changed it since it was read.
    await changedAsRead(db, id, t.status, await db.run(`UPDATE triggers SET status = 'acknowledged', acknowledged_on = $on::DATE, acknowledged_by = $staff WHERE trigger_id = $id AND status = 'open'`, { id, on: onDate, staff: staffId }));
    await db.run(`INSERT INTO trigger_events VALUES ($id, $on::DATE, 'acknowledged', $role, $staff, NULL, $now::TIMESTAMP)`, { id, on: onDate, role: t.role, staff: staffId, now: now.toISOString() });
  });
  return { id, status: 'acknowledged' };
}

/** open or acknowledged → resolved, with the outcome; the rule's cool-down starts. */
export async function resolveTrigger(db: Warehouse, id: string, staffId: string, outcome: ResolutionOutcome, onDate: string, now: Date): Promise<{ id: string; status: TriggerStatus; outcome: string }> {
  if (!(resolutionOutcomes as readonly string[]).includes(outcome)) throw new KiinniError(ErrorCode.Usage, `--outcome: expected one of ${resolutionOutcomes.join(', ')}.`);
  const { t } = await triggerForStaff(db, id, staffId);
  await closeTrigger(db, t, staffId, outcome, onDate, now, null);
  return { id, status: 'resolved', outcome };
}

async function closeTrigger(db: Warehouse, t: StoredTrigger, staffId: string, outcome: string, onDate: string, now: Date, interventionId: string | null): Promise<void> {
  if (t.status !== 'open' && t.status !== 'acknowledged') throw new KiinniError(ErrorCode.Usage, `Trigger ${t.trigger_id} is already ${t.status}.`);
  if (onDate < t.opened_on) throw new KiinniError(ErrorCode.Usage, `Trigger ${t.trigger_id} opened on ${t.opened_on}; it cannot be resolved on ${onDate}.`);
  await db.transaction(async () => {
    const changed = await db.run(`UPDATE triggers SET status = 'resolved', closed_on = $on::DATE, closed_by = $staff, outcome = $outcome, intervention_id = $iv WHERE trigger_id = $id AND status = $status`, {
      id: t.trigger_id, on: onDate, staff: staffId, outcome, iv: interventionId, status: t.status,
    });
    await changedAsRead(db, t.trigger_id, t.status, changed);
    await db.run(`INSERT INTO trigger_events VALUES ($id, $on::DATE, 'resolved', $role, $staff, $outcome, $now::TIMESTAMP)`, { id: t.trigger_id, on: onDate, role: t.role, staff: staffId, outcome, now: now.toISOString() });
  });
}

export interface NewIntervention {
  student_id: string;
  staff_id: string;
  role: string;
  date: string;
  type: string;
  scope: 'individual' | 'group';
  trigger_id?: string | undefined;
}

/**
 * Records support given (as `kiinni ingest interventions` would) and, when it answers a trigger,
 * resolves that trigger. The id is derived from the content, so recording it twice is refused.
 */
export async function addIntervention(db: Warehouse, iv: NewIntervention, now: Date): Promise<StoredIntervention> {
  if (!isStaffRole(iv.role)) throw new KiinniError(ErrorCode.Usage, `--role: unknown role ${iv.role}.`);
  if (!isCalendarDate(iv.date) || iv.date < plausibleDates.earliest || iv.date > addDays(localDate(now), 1)) throw new KiinniError(ErrorCode.Usage, '--date: expected a calendar date like 2026-02-20, not in the future.');
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(iv.type)) throw new KiinniError(ErrorCode.Usage, '--type: expected a lower-case code like meeting or study_plan_revision.');
  const student = await db.one(`SELECT 1 AS ok FROM students WHERE student_id = $id`, { id: iv.student_id });
  if (!student) throw new KiinniError(ErrorCode.NotFound, `No student ${iv.student_id} in the warehouse.`);
  const roles = await staffRolesOf(db, iv.staff_id);
  if (!roles.includes(iv.role)) throw new KiinniError(ErrorCode.Usage, `Staff member ${iv.staff_id} does not hold the role ${iv.role}.`);
  let trigger: StoredTrigger | undefined;
  if (iv.trigger_id) {
    ({ t: trigger } = await triggerForStaff(db, iv.trigger_id, iv.staff_id, roles));
    if (trigger.student_id !== iv.student_id) throw new KiinniError(ErrorCode.Usage, `Trigger ${iv.trigger_id} is about another student.`);
  }
  const id = 'I-' + letterId([iv.student_id, iv.staff_id, iv.role, iv.date, iv.type, iv.scope, iv.trigger_id ?? '']);
  if (await db.one(`SELECT 1 AS ok FROM interventions WHERE intervention_id = $id`, { id })) {
    throw new KiinniError(ErrorCode.Usage, `This intervention is already recorded (${id}).`);
  }
  await db.transaction(async () => {
    await db.run(`INSERT INTO interventions (intervention_id, student_id, staff_id, role, date, type, scope, trigger_id, _ingest_id)
      VALUES ($id, $student, $staff, $role, $date::DATE, $type, $scope, $trigger, 'cli')`, {
      id, student: iv.student_id, staff: iv.staff_id, role: iv.role, date: iv.date, type: iv.type, scope: iv.scope, trigger: iv.trigger_id ?? null,
    });
  });
  if (trigger && (trigger.status === 'open' || trigger.status === 'acknowledged')) {
    await closeTrigger(db, trigger, iv.staff_id, `intervention:${iv.type}`, iv.date < trigger.opened_on ? trigger.opened_on : iv.date, now, id);
  }
  return { intervention_id: id, student_id: iv.student_id, staff_id: iv.staff_id, role: iv.role, date: iv.date, type: iv.type, scope: iv.scope, trigger_id: iv.trigger_id ?? null };
}

/** Interventions as `viewer` may see them: support by welfare roles only for welfare roles. */
export async function listInterventions(db: Warehouse, viewer: Viewer, opts: { student?: string | undefined; staff?: string | undefined; limit?: number | undefined }): Promise<StoredIntervention[]> {
  const where = ['1 = 1'];
  const params: Record<string, string> = {};
  if (opts.student) (where.push('student_id = $student'), (params['student'] = opts.student));
  if (opts.staff) (where.push('staff_id = $staff'), (params['staff'] = opts.staff));
  const rows = (
    await db.all(`SELECT intervention_id, student_id, staff_id, role, strftime(date, '%Y-%m-%d') AS date, type, scope, trigger_id
    FROM interventions WHERE ${where.join(' AND ')}`, params)
  ).sort((a, b) => compareText(b['date'], a['date']) || compareText(a['intervention_id'], b['intervention_id']));
  const out: StoredIntervention[] = [];
  for (const r of rows) {
    const v = viewIntervention(r as unknown as StoredIntervention, viewer);
    if (v) out.push(v);
    if (opts.limit !== undefined && out.length >= opts.limit) break;
  }
  return out;
}

/**
 * A status change is made only to the trigger as it was read (`WHERE … AND status = <read>`): when
 * no row changed, another request changed it first, and this one says what it is now, as if it
 * had come second (nothing of it is kept: the caller's transaction rolls back).
 */
async function changedAsRead(db: Warehouse, id: string, readStatus: string, changed: number): Promise<void> {
  if (changed === 1) return;
  const now = await storedTrigger(db, id);
  throw new KiinniError(ErrorCode.Usage, `Trigger ${id} was changed meanwhile: it is ${now?.status ?? 'gone'}${now?.status === readStatus ? ', handled by someone else' : ''}.`, 'Look at it again before changing it.');
}

/** Roles a live trigger may be handed to: those that work with students and may see its kind, not the one it has. */
export function handOverRoles(t: Pick<StoredTrigger, 'visibility' | 'role'>): string[] {
  return rolesThatSee(t.visibility).filter((r) => r !== 'data_coordinator' && r !== 'leadership' && r !== t.role);
}

/**
 * Hands my live trigger to another role that may see its kind (the nurse to the kuraattori, say):
 * it is routed to whoever is responsible for the student in that role, open again so they see it
 * as new, and the history says who handed it over.
 */
export async function handOverTrigger(db: Warehouse, id: string, staffId: string, toRole: string, onDate: string, now: Date): Promise<StoredTrigger> {
  const { t } = await triggerForStaff(db, id, staffId);
  if (t.status !== 'open' && t.status !== 'acknowledged') throw new KiinniError(ErrorCode.Usage, `Trigger ${id} is ${t.status}, not live.`);
  if (!handOverRoles(t).includes(toRole)) throw new KiinniError(ErrorCode.Usage, `--role: trigger ${id} cannot be handed to ${toRole}.`);
  await db.transaction(async () => {
    await changedAsRead(db, id, t.status, await db.run(`UPDATE triggers SET role = $role, status = 'open', acknowledged_on = NULL, acknowledged_by = NULL WHERE trigger_id = $id AND status = $status AND role = $from`, { id, role: toRole, status: t.status, from: t.role }));
    await db.run(routeOpenTriggersSql('_handover_routes', { oneTrigger: true }), { as_of: onDate, trigger_id: id });
    await db.run(`UPDATE triggers t SET staff_id = r.staff_id, routed_via = r.routed_via FROM _handover_routes r WHERE r.trigger_id = t.trigger_id`);
    await db.run(`DROP TABLE IF EXISTS _handover_routes`);
    await db.run(`INSERT INTO trigger_events SELECT trigger_id, $on::DATE, 'handed_over', role, staff_id, $from, $now::TIMESTAMP FROM triggers WHERE trigger_id = $id`, { id, on: onDate, from: `from ${staffId}`, now: now.toISOString() });
  });
  return (await storedTrigger(db, id))!;
}

/**
 * Takes another professional's live trigger about a student of mine, in a role of mine that may
 * see its kind: it is routed to me (`taken`: the nightly routing leaves it with me) and
 * acknowledged, so it does not escalate past me.
 */
export async function takeTrigger(db: Warehouse, id: string, staffId: string, role: string, onDate: string, now: Date): Promise<StoredTrigger> {
  const roles = await staffRolesOf(db, staffId);
  const t = await storedTrigger(db, id);
  if (!t || !maySee(roles, t.visibility)) throw new KiinniError(ErrorCode.NotFound, `No trigger ${id} visible to ${staffId}.`);
  if (t.status !== 'open' && t.status !== 'acknowledged') throw new KiinniError(ErrorCode.Usage, `Trigger ${id} is ${t.status}, not live.`);
  if (!roles.includes(role) || !(rolesThatSee(t.visibility) as readonly string[]).includes(role)) throw new KiinniError(ErrorCode.Usage, `--role: ${staffId} cannot take trigger ${id} as ${role}.`);
  await db.transaction(async () => {
    const changed = await db.run(`UPDATE triggers SET role = $role, staff_id = $staff, routed_via = 'taken', status = 'acknowledged', acknowledged_on = $on::DATE, acknowledged_by = $staff WHERE trigger_id = $id AND status = $status`, { id, role, staff: staffId, on: onDate, status: t.status });
    await changedAsRead(db, id, t.status, changed);
    await db.run(`INSERT INTO trigger_events VALUES ($id, $on::DATE, 'taken', $role, $staff, $from, $now::TIMESTAMP)`, { id, on: onDate, role, staff: staffId, from: t.staff_id ? `from ${t.staff_id}` : null, now: now.toISOString() });
  });
  return (await storedTrigger(db, id))!;
}

/** Other professionals' live triggers about a student that this viewer may know of: role and date only. */
export async function othersOnStudent(db: Warehouse, viewer: { roles: readonly string[]; staffId: string }, studentId: string): Promise<{ trigger_id: string; role: string; opened_on: string; visibility: Visibility }[]> {
  // By student only (DuckDB then answers from its index; a further condition makes it scan), the rest here.
  const rows = (await db.all(
    `SELECT trigger_id, role, strftime(opened_on, '%Y-%m-%d') AS opened_on, visibility, status, staff_id FROM triggers WHERE student_id = $id`,
    { id: studentId },
  )) as unknown as { trigger_id: string; role: string; opened_on: string; visibility: Visibility; status: string; staff_id: string | null }[];
  return rows
    .filter((r) => (r.status === 'open' || r.status === 'acknowledged') && r.staff_id !== viewer.staffId && maySee(viewer.roles, r.visibility) && isWelfareRole(r.role))
    .sort((a, b) => (a.opened_on < b.opened_on ? -1 : a.opened_on > b.opened_on ? 1 : 0))
    .map(({ trigger_id, role, opened_on, visibility }) => ({ trigger_id, role, opened_on, visibility }));
}
