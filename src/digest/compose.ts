import { daysBetween, weekdayOf } from '../core/dates.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Warehouse } from '../db/warehouse.js';
import { loadCatalogue, type FeatureSpec } from '../features/index.js';
import { visibleRisk } from '../model/index.js';
import { liveRoutedTriggers, viewTrigger, type Language, type StoredTrigger, type TriggerRule, type TriggerView, type Viewer } from '../triggers/index.js';
import type { Config, Weekday } from '../core/config.js';
import { languageOr } from '../core/vocabulary.js';

/** A staff member who receives digests. */
export interface Recipient {
  staff_id: string;
  name: string;
  email: string;
  language: Language;
  roles: string[];
}

/** One trigger in a digest, as its recipient may see it. */
export interface DigestItem {
  trigger: TriggerView;
  days_open: number;
  /** Opened since this person's last digest. */
  is_new: boolean;
  /** Escalated to this person since their last digest. */
  is_escalated: boolean;
  /** Shown in full today (new or escalated, or every item on the weekly reminder; at most max_items). */
  in_full: boolean;
  next_step: string;
}

/** Everything a digest says about one student. */
export interface DigestStudent {
  student_id: string;
  /** The name fields the provider supplies, for the student's own staff; null when none. */
  name: string | null;
  group: string;
  /** Band and reasons of the latest score: counsellors and special-needs teachers only. */
  risk: { band: string; reasons: string[] } | null;
  items: DigestItem[];
}

/** The daily digest (päivittäinen kooste) of one staff member. */
export interface Digest {
  as_of: string;
  recipient: Recipient;
  students: DigestStudent[];
  new_count: number;
  escalated_count: number;
  /** Open items neither new nor escalated since the last digest. */
  unchanged_count: number;
  open_count: number;
  /** The last digest sent to this person, if any. */
  last_sent: string | null;
  /** Today every open item is repeated (the weekly reminder, or the first digest). */
  reminder: boolean;
  /** Items that would be shown in full but are over the cap: counted, with a link. */
  more_count: number;
  /** Whether a message goes out today: something new or escalated, or the reminder with something open. */
  send: boolean;
}

/** When a digest goes out and how much it shows (config `digest.max_items`, `digest.reminder_weekday`). */
export interface DigestPolicy {
  maxItems: number;
  reminderWeekday: Weekday | 'none';
}
export const defaultDigestPolicy: DigestPolicy = { maxItems: 20, reminderWeekday: 'monday' };

export interface ComposeContext {
  rules: ReadonlyMap<string, TriggerRule>;
  features: readonly FeatureSpec[];
  policy?: DigestPolicy;
}

/** The rules and feature catalogue digests are worded from, and the send policy. */
export function composeContext(rules: readonly TriggerRule[], config?: Config): ComposeContext {
  return { rules: new Map(rules.map((r) => [r.id, r])), features: loadCatalogue(), policy: config ? { maxItems: config.digest.maxItems, reminderWeekday: config.digest.reminderWeekday } : defaultDigestPolicy };
}

const severityRank: Record<string, number> = { high: 0, medium: 1, low: 2 };

/** Staff members with an e-mail address, by id. */
export async function findRecipient(db: Warehouse, staffId: string): Promise<Recipient> {
  const row = await db.one(`SELECT staff_id, name, email, language, roles FROM staff WHERE staff_id = $id`, { id: staffId });
  if (!row) throw new KiinniError(ErrorCode.NotFound, `No staff member ${staffId} in the warehouse.`, 'Load staff.csv first.');
  return toRecipient(row);
}

function toRecipient(row: Record<string, unknown>): Recipient {
  const lang = String(row['language']);
  return {
    staff_id: String(row['staff_id']),
    name: String(row['name']),
    email: String(row['email']),
    language: languageOr(lang),
    roles: (row['roles'] as string[]) ?? [],
  };
}

/** Staff members who have an open or acknowledged trigger routed to them (or every member, `all`). */
export async function digestRecipients(db: Warehouse, opts: { all: boolean }): Promise<Recipient[]> {
  const rows = await db.all(
    opts.all
      ? `SELECT staff_id, name, email, language, roles FROM staff ORDER BY staff_id`
      : `SELECT staff_id, name, email, language, roles FROM staff
         WHERE staff_id IN (SELECT staff_id FROM triggers WHERE status IN ('open', 'acknowledged') AND staff_id IS NOT NULL) ORDER BY staff_id`,
  );
  return rows.map(toRecipient).filter((r) => !r.roles.every((role) => role === 'leadership'));
}

/** What digests are built from: live routed triggers, the students they concern, last digests sent. */
export interface DigestData {
  asOf: string;
  triggersByStaff: Map<string, StoredTrigger[]>;
  students: Map<string, { name: string | null; group: string; band: string | null; reasons: string | null }>;
  lastSent: Map<string, string>;
}

/**
 * Loads everything the day's digests need in three queries (for one staff member, or for all),
 * so that composing thousands of digests does not query the warehouse once per person.
 */
export async function loadDigestData(db: Warehouse, asOf: string, staffId?: string): Promise<DigestData> {
  const triggers = await liveRoutedTriggers(db, asOf, staffId);
  const triggersByStaff = new Map<string, StoredTrigger[]>();
  for (const t of triggers) {
    const list = triggersByStaff.get(t.staff_id!) ?? [];
    list.push(t);
    triggersByStaff.set(t.staff_id!, list);
  }
  const only = staffId !== undefined ? 'AND staff_id = $staff' : '';
  const params: Record<string, string> = staffId !== undefined ? { as_of: asOf, staff: staffId } : { as_of: asOf };
  const rows = await db.all(
    `WITH mine AS (SELECT DISTINCT student_id FROM triggers WHERE status IN ('open', 'acknowledged') AND staff_id IS NOT NULL AND opened_on <= $as_of::DATE ${only})
     SELECT s.student_id, nullif(trim(concat_ws(' ', s.given_name, s.family_name)), '') AS name, s."group" AS student_group, r.band, r.reasons
     FROM mine JOIN students s USING (student_id) LEFT JOIN (
       SELECT student_id, band, reasons FROM current_risk($as_of::DATE) WHERE student_id IN (SELECT student_id FROM mine)
     ) r USING (student_id)`,
    params,
  );
  const students = new Map(rows.map((r) => [String(r['student_id']), { name: (r['name'] as string | null) ?? null, group: String(r['student_group']), band: (r['band'] as string | null) ?? null, reasons: (r['reasons'] as string | null) ?? null }]));
  const sent = await db.all(
    `SELECT staff_id, strftime(max(as_of), '%Y-%m-%d') AS d FROM digest_deliveries WHERE status = 'sent' AND as_of < $as_of::DATE ${only} GROUP BY staff_id`,
    params,
  );
  return { asOf, triggersByStaff, students, lastSent: new Map(sent.map((r) => [String(r['staff_id']), String(r['d'])])) };
}

/**
 * The digest of one staff member: their open and acknowledged triggers, grouped by student,
 * most severe and newest first. Every trigger passes through the trigger layer's role-based
 * view; the risk band and reasons appear only for roles that may see risk scores.
 */
export function buildDigest(recipient: Recipient, data: DigestData, ctx: ComposeContext): Digest {
  const asOf = data.asOf;
  const viewer: Viewer = { roles: recipient.roles, staffId: recipient.staff_id };
  const vctx = { rules: ctx.rules, features: ctx.features, lang: recipient.language };
  const views: TriggerView[] = [];
  for (const t of data.triggersByStaff.get(recipient.staff_id) ?? []) {
    const v = viewTrigger(t, viewer, vctx);
    if (v) views.push(v);
  }
  const lastSent = data.lastSent.get(recipient.staff_id) ?? null;
  const ids = [...new Set(views.map((v) => v.student_id))];
  const students: DigestStudent[] = ids.map((id) => {
    const s = data.students.get(id) ?? { name: null, group: '', band: null, reasons: null };
    const items = views
      .filter((v) => v.student_id === id)
      .map((v) => {
        const isEscalated = v.escalated_on !== null && (lastSent === null || v.escalated_on > lastSent);
        return { trigger: v, days_open: daysBetween(v.opened_on, asOf), is_new: !isEscalated && (lastSent === null || v.opened_on > lastSent), is_escalated: isEscalated, in_full: false, next_step: v.next_step };
      })
      .sort((a, b) => (severityRank[a.trigger.severity] ?? 3) - (severityRank[b.trigger.severity] ?? 3) || b.trigger.opened_on.localeCompare(a.trigger.opened_on));
    return {
      student_id: id,
      name: s.name,
      group: s.group,
      risk: visibleRisk(recipient.roles, s, ctx.features, recipient.language),
      items,
    };
  });
  const first = (s: DigestStudent) => s.items[0]!.trigger;
  students.sort((a, b) => (severityRank[first(a).severity] ?? 3) - (severityRank[first(b).severity] ?? 3) || first(b).opened_on.localeCompare(first(a).opened_on) || a.student_id.localeCompare(b.student_id));
  const all = students.flatMap((s) => s.items);
  // Send policy: a message on a day with something new or escalated for this person; unchanged
  // items are counted, and repeated in full on the weekly reminder (and in the first digest).
  const policy = ctx.policy ?? defaultDigestPolicy;
  const changed = all.filter((i) => i.is_new || i.is_escalated);
  const reminder = lastSent === null || weekdayOf(asOf) === policy.reminderWeekday;
  const candidates = (reminder ? all : changed).slice().sort((a, b) => Number(b.is_new || b.is_escalated) - Number(a.is_new || a.is_escalated));
  for (const i of candidates.slice(0, policy.maxItems)) i.in_full = true;
  return {
    as_of: asOf,
    recipient,
    students,
    new_count: all.filter((i) => i.is_new).length,
    escalated_count: all.filter((i) => i.is_escalated).length,
    unchanged_count: all.length - changed.length,
    open_count: all.length,
    last_sent: lastSent,
    reminder,
    more_count: Math.max(0, candidates.length - policy.maxItems),
    send: changed.length > 0 || (reminder && all.length > 0),
  };
}

/** The digest of one staff member as of a date (see `buildDigest`). */
export async function composeDigest(db: Warehouse, recipient: Recipient, asOf: string, ctx: ComposeContext): Promise<Digest> {
  return buildDigest(recipient, await loadDigestData(db, asOf, recipient.staff_id), ctx);
}
