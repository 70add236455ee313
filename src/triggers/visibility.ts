import { isWelfareRole, maySee, type Visibility } from '../core/roles.js';
import type { FeatureSpec } from '../features/index.js';
import { parseReasons, reasonSentences } from '../model/index.js';
import { msg, messageArguments } from '../i18n/index.js';
import { factByName } from './facts.js';
import { readerRole, renderMessage, type Language, type TriggerRule } from './rules.js';

/**
 * Role-based minimisation of triggers and interventions: every output path (CLI, --json,
 * digests) goes through `viewTrigger` / `viewIntervention` and nothing else reads the stored
 * rows for output. Student Welfare Act 1287/2013: welfare-derived content reaches welfare
 * roles only; others learn at most that a student would benefit from contact.
 */

/** Who is looking: the roles they hold (and who they are, for "my triggers"). */
export interface Viewer {
  roles: readonly string[];
  staffId?: string | undefined;
}

/** The data coordinator's view, used when no role or staff member is named. */
export const coordinatorViewer: Viewer = { roles: ['data_coordinator'] };

/** A trigger row as stored in the warehouse. */
export interface StoredTrigger {
  trigger_id: string;
  rule_id: string;
  family: string;
  visibility: Visibility;
  severity: string;
  student_id: string;
  first_role: string;
  role: string;
  staff_id: string | null;
  routed_via: string;
  status: string;
  opened_on: string;
  last_seen_on: string;
  evidence: string;
  escalated_on: string | null;
  acknowledged_on: string | null;
  acknowledged_by: string | null;
  closed_on: string | null;
  closed_by: string | null;
  outcome: string | null;
  intervention_id: string | null;
}

/** A trigger as one viewer may see it. `--json` prints these: changing a field is a breaking change. */
export interface TriggerView {
  id: string;
  student_id: string;
  rule: string;
  family: string;
  title: string;
  severity: string;
  role: string;
  staff_id: string | null;
  routed_via: string;
  status: string;
  opened_on: string;
  last_seen_on: string;
  escalated_on: string | null;
  acknowledged_on: string | null;
  closed_on: string | null;
  outcome: string | null;
  message: string;
  /** The suggested next step from the support framework (tukirunko), or '' when not for this viewer. */
  next_step: string;
  /** The evidence facts this viewer may see. */
  evidence: Record<string, unknown>;
  /** For model triggers: the score's reasons this viewer may see, in words. */
  reasons: string[];
}

export interface ViewContext {
  rules: ReadonlyMap<string, TriggerRule>;
  features: readonly FeatureSpec[];
  lang: Language;
}


/** What a list of triggers needs of each stored trigger (no evidence). */
export type TriggerListRow = Pick<StoredTrigger, 'trigger_id' | 'student_id' | 'rule_id' | 'family' | 'visibility' | 'severity' | 'role' | 'staff_id' | 'status' | 'opened_on' | 'escalated_on'>;

/** What a list of triggers shows of one (no message, evidence or reasons): cheap for a long caseload. */
export type TriggerSummary = Pick<TriggerView, 'id' | 'student_id' | 'rule' | 'family' | 'title' | 'severity' | 'role' | 'staff_id' | 'status' | 'opened_on' | 'escalated_on'>;

/** The trigger's line in a list, or null when `viewer` may not know it exists (the same rule as viewTrigger). */
export function listTrigger(t: TriggerListRow, viewer: Viewer, ctx: ViewContext): TriggerSummary | null {
  if (!maySee(viewer.roles, t.visibility)) return null;
  return {
    id: t.trigger_id, student_id: t.student_id, rule: t.rule_id, family: t.family, title: ctx.rules.get(t.rule_id)?.title[ctx.lang] ?? t.rule_id,
    severity: t.severity, role: t.role, staff_id: t.staff_id, status: t.status, opened_on: t.opened_on, escalated_on: t.escalated_on,
  };
}

/** The trigger as `viewer` may see it, or null when they may not know it exists. */
export function viewTrigger(t: StoredTrigger, viewer: Viewer, ctx: ViewContext): TriggerView | null {
  if (!maySee(viewer.roles, t.visibility)) return null;
  const raw = JSON.parse(t.evidence) as Record<string, unknown>;
  const evidence: Record<string, unknown> = {};
  let reasons: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'risk_reasons') {
      const all = parseReasons(value);
      const welfareVisible = maySee(viewer.roles, 'welfare');
      reasons = reasonSentences(all.filter((r) => welfareVisible || r.sensitivity !== 'welfare'), ctx.features, ctx.lang, { welfareVisible });
      continue;
    }
    const fact = factByName.get(name);
    if (fact && maySee(viewer.roles, fact.visibility)) evidence[name] = value;
  }
  const rule = ctx.rules.get(t.rule_id);
  // A text whose facts this viewer may not all see is not shown in part: the viewer learns only
  // that the student would benefit from contact.
  const values = { ...evidence, [readerRole]: t.role };
  const worded = (template: string | undefined) => (template && messageArguments(template).every((n) => n in values) ? renderMessage(template, values, ctx.lang) : undefined);
  const message = worded(rule?.message[ctx.lang]) ?? msg(ctx.lang, 'trigger.contact_only');
  // The next step reads facts only to choose its wording (lukio or vocational): a fact missing
  // from an older trigger's evidence takes the `other` branch.
  const nextStep = rule ? renderMessage(rule.next_step[ctx.lang], values, ctx.lang) : '';
  return {
    id: t.trigger_id,
    student_id: t.student_id,
    rule: t.rule_id,
    family: t.family,
    title: rule?.title[ctx.lang] ?? t.rule_id,
    severity: t.severity,
    role: t.role,
    staff_id: t.staff_id,
    routed_via: t.routed_via,
    status: t.status,
    opened_on: t.opened_on,
    last_seen_on: t.last_seen_on,
    escalated_on: t.escalated_on,
    acknowledged_on: t.acknowledged_on,
    closed_on: t.closed_on,
    outcome: t.outcome,
    message,
    next_step: nextStep,
    evidence,
    reasons,
  };
}

/** An intervention row as stored. */
export interface StoredIntervention {
  intervention_id: string;
  student_id: string;
  staff_id: string;
  role: string;
  date: string;
  type: string;
  scope: string;
  trigger_id: string | null;
}

/** Support given by welfare roles is itself welfare data: only welfare roles see it. */
export function viewIntervention(i: StoredIntervention, viewer: Viewer): StoredIntervention | null {
  const visibility: Visibility = isWelfareRole(i.role) ? 'welfare' : 'ordinary';
  return maySee(viewer.roles, visibility) ? i : null;
}
