import { addDays, localDate } from '../../core/dates.js';
import { ErrorCode, KiinniError } from '../../core/errors.js';
import type { Warehouse } from '../../db/warehouse.js';
import { loadCatalogue } from '../../features/index.js';
import { withWarehouse } from '../../app/index.js';
import {
  acknowledgeTrigger, addIntervention, facts, lastTriggerRun, listInterventions, listTriggers, loadRules, resolveTrigger, resolveViewer, runTriggers, showTrigger,
  type Language, type TriggerRule, type TriggerRunSummary, type ViewContext,
} from '../../triggers/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { count, table } from '../format.js';
import { asOfOrLatest, parseOptions, readSession, writeSession } from '../options.js';
import { languageOr } from '../../core/vocabulary.js';

/** The rule as `triggers rules --json` prints it. */
function ruleJson(r: TriggerRule) {
  return {
    id: r.id, family: r.family, title: r.title, description: r.description, condition: r.condition, params: r.params, roles: r.roles,
    visibility: r.visibility, severity: r.severity, cooldown_days: r.cooldown_days, expires_after_days: r.expires_after_days,
    escalation: r.escalation ?? null, evidence: r.evidence, file: r.file,
  };
}

/** `kiinni triggers rules [--facts]`. */
export async function runTriggerRules(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const rules = await loadRules(ctx.config);
  const withFacts = Boolean(raw['facts']);
  ctx.print({ rules: rules.map(ruleJson), ...(withFacts ? { facts } : {}) }, () =>
    [
      table(
        ['rule', 'family', 'roles', 'visibility', 'severity', 'cool-down', 'escalation', 'condition'],
        rules.map((r) => [r.id, r.family, r.roles.join(', '), r.visibility, r.severity, `${r.cooldown_days} d`, r.escalation ? `${r.escalation.after_days} d → ${r.escalation.to_role}` : '', `${r.condition}  ${JSON.stringify(r.params)}`]),
      ),
      ...(withFacts ? ['', table(['fact', 'type', 'visibility', 'meaning'], facts.map((f) => [f.name, f.type, f.visibility, f.description]))] : []),
    ].join('\n'),
  );
  return 0;
}

/** `kiinni triggers run [--as-of D] [--until D]`: one run, or one per day up to --until. */
export async function runTriggerRun(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.triggerRun), raw);
  const rules = await loadRules(ctx.config);
  const runs = await withWarehouse(writeSession(ctx, 'triggers run'), async ({ db }) => {
    let first = await asOfOrLatest(db, ctx, opts.asOf);
    const last = opts.until ?? first;
    if (last < first) throw new KiinniError(ErrorCode.Usage, `--until ${last} is before --as-of ${first}.`);
    // A replay interrupted part-way continues from its last completed day (run again: no change).
    const done = await lastTriggerRun(db);
    if (opts.until && done && done > first && done <= last) {
      ctx.logger.info({ from: done }, 'replay_resumed');
      first = done;
    }
    const out: TriggerRunSummary[] = [];
    for (let day = first; day <= last; day = addDays(day, 1)) out.push(await runTriggers(db, rules, { asOf: day }, { logger: ctx.logger, clock: ctx.clock }));
    return out;
  });
  const total = (k: keyof Omit<TriggerRunSummary, 'as_of' | 'opened_by_rule' | 'rules' | 'students'>) => runs.reduce((s, r) => s + r[k], 0);
  const last = runs.at(-1)!;
  ctx.print({ runs }, () =>
    [
      runs.length === 1
        ? `Triggers as of ${last.as_of}: ${count(last.students)} active students, ${last.rules} rules.`
        : `Triggers for ${runs.length} days, ${runs[0]!.as_of} – ${last.as_of}, ${last.rules} rules.`,
      `Opened ${total('opened')}, updated ${total('updated')}, escalated ${total('escalated')}, rerouted ${total('rerouted')}, resolved by interventions ${total('resolved')}, expired ${total('expired')}.`,
      last.routing_gaps
        ? `${last.routing_gaps} open triggers have nobody to route to: see 'kiinni triggers list --unrouted', then add assignments or set the unit of a staff member in the role.`
        : 'Every open trigger is routed to a staff member.',
    ].join('\n'),
  );
  return 0;
}


async function viewContext(db: Warehouse, ctx: CliContext, staff: string | undefined, lang: Language | undefined): Promise<ViewContext> {
  const rules = await loadRules(ctx.config);
  let language: Language = lang ?? 'en';
  if (!lang && staff) {
    const row = await db.one(`SELECT language FROM staff WHERE staff_id = $id`, { id: staff });
    if (row) language = languageOr(row['language'], language);
  }
  return { rules: new Map(rules.map((r) => [r.id, r])), features: loadCatalogue(), lang: language };
}

/** `kiinni triggers list [--role R] [--staff ID] [--status S] …`: already filtered for the viewer. */
export async function runTriggerList(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf({ ...commandOptions.triggerView, ...commandOptions.triggerList }), raw);
  const views = await withWarehouse(readSession(ctx, 'triggers list'), async ({ db }) => {
    const viewer = await resolveViewer(db, opts);
    const vctx = await viewContext(db, ctx, opts.staff, opts.lang);
    return listTriggers(db, viewer, { ...opts }, vctx);
  });
  ctx.print(views, () =>
    views.length
      ? table(['id', 'opened', 'status', 'student', 'rule', 'role', 'staff', 'message'], views.map((v) => [v.id, v.opened_on, v.status, v.student_id, v.rule, v.role, v.staff_id ?? '(nobody)', v.message]))
      : 'No triggers.',
  );
  return 0;
}

/** `kiinni triggers show ID [--role R] [--staff ID]`. */
export async function runTriggerShow(ctx: CliContext, id: string, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.triggerView), raw);
  const t = await withWarehouse(readSession(ctx, 'triggers show'), async ({ db }) => {
    const viewer = await resolveViewer(db, opts);
    return showTrigger(db, id, viewer, await viewContext(db, ctx, opts.staff, opts.lang));
  });
  ctx.print(t, () =>
    [
      `${t.id}  ${t.title}  (${t.rule}, ${t.family}, ${t.severity})`,
      `Student ${t.student_id}; for ${t.role}: ${t.staff_id ?? 'nobody (routing gap)'} via ${t.routed_via}; ${t.status} since ${t.closed_on ?? t.acknowledged_on ?? t.opened_on}${t.outcome ? ` (${t.outcome})` : ''}.`,
      t.message,
      ...(t.reasons.length ? [`Reasons: ${t.reasons.join('; ')}`] : []),
      '',
      table(['date', 'event', 'role', 'staff'], t.history.map((h) => [h.on_date, h.event, h.role, h.staff_id])),
    ].join('\n'),
  );
  return 0;
}

/** `kiinni triggers ack ID --staff ID [--on D]`. */
export async function runTriggerAck(ctx: CliContext, id: string, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.triggerAck), raw);
  const r = await withWarehouse(writeSession(ctx, 'triggers ack'), ({ db }) => acknowledgeTrigger(db, id, opts.staff, opts.on ?? localDate(ctx.clock()), ctx.clock()));
  ctx.print(r, () => `Trigger ${id} acknowledged by ${opts.staff}.`);
  return 0;
}

/** `kiinni triggers resolve ID --staff ID --outcome O [--on D]`. */
export async function runTriggerResolve(ctx: CliContext, id: string, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.triggerResolve), raw);
  const r = await withWarehouse(writeSession(ctx, 'triggers resolve'), ({ db }) => resolveTrigger(db, id, opts.staff, opts.outcome, opts.on ?? localDate(ctx.clock()), ctx.clock()));
  ctx.print(r, () => `Trigger ${id} resolved by ${opts.staff}: ${opts.outcome}.`);
  return 0;
}

/** `kiinni interventions add --student S --staff ID --role R --type T [--scope] [--date] [--trigger]`. */
export async function runInterventionAdd(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.interventionAdd), raw);
  const iv = await withWarehouse(writeSession(ctx, 'interventions add'), ({ db }) =>
    addIntervention(db, { student_id: opts.student, staff_id: opts.staff, role: opts.role, type: opts.type, scope: opts.scope, date: opts.date ?? localDate(ctx.clock()), trigger_id: opts.trigger }, ctx.clock()),
  );
  ctx.print(iv, () => `Recorded ${iv.intervention_id}: ${iv.type} for ${iv.student_id} by ${iv.staff_id} on ${iv.date}${iv.trigger_id ? `; trigger ${iv.trigger_id} resolved` : ''}.`);
  return 0;
}

/** `kiinni interventions list [--student S] [--role R] [--staff ID]`. */
export async function runInterventionList(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.interventionList), raw);
  const rows = await withWarehouse(readSession(ctx, 'interventions list'), async ({ db }) => listInterventions(db, await resolveViewer(db, opts), opts));
  ctx.print(rows, () =>
    rows.length ? table(['id', 'date', 'student', 'staff', 'role', 'type', 'scope', 'trigger'], rows.map((r) => [r.intervention_id, r.date, r.student_id, r.staff_id, r.role, r.type, r.scope, r.trigger_id])) : 'No interventions.',
  );
  return 0;
}
