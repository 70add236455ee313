import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { ident, literal } from '../db/sql.js';
import type { Warehouse } from '../db/warehouse.js';
import { attendanceLagDays } from '../features/index.js';
import { FACTS_TABLE, factsViewName, factsViewsSql, studentFactsSql } from './facts.js';
import { routeOpenTriggersSql } from './routing.js';
import type { TriggerRule } from './rules.js';

/** `kiinni triggers run --json`: what one run did. */
export interface TriggerRunSummary {
  as_of: string;
  rules: number;
  students: number;
  opened: number;
  updated: number;
  rerouted: number;
  escalated: number;
  resolved: number;
  expired: number;
  routing_gaps: number;
  /** New triggers per rule on this date. */
  opened_by_rule: Record<string, number>;
}

const RULES = '_trigger_rules';
const HITS = '_trigger_hits';

/** The rules of this run as a table, so lifecycle steps can join on their settings. */
async function loadRulesTable(db: Warehouse, rules: readonly TriggerRule[]): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE ${RULES} (rule_id VARCHAR, family VARCHAR, visibility VARCHAR, severity VARCHAR, role VARCHAR,
    cooldown_days INTEGER, expires_after_days INTEGER, escalation_after_days INTEGER, escalation_role VARCHAR)`);
  const rows = rules.flatMap((r) =>
    r.roles.map((role) => [r.id, r.family, r.visibility, r.severity, role, r.cooldown_days, r.expires_after_days, r.escalation?.after_days ?? null, r.escalation?.to_role ?? null]),
  );
  await db.appendRows(RULES, ['varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'integer', 'integer', 'integer', 'varchar'], rows);
}

/** Students for whom a rule's condition holds today, with the rule's evidence facts as JSON. */
function ruleHitsSql(rule: TriggerRule): string {
  const evidence = rule.evidence.length ? `to_json({${rule.evidence.map((e) => `${literal(e)}: f.${ident(e)}`).join(', ')}})::VARCHAR` : `'{}'`;
  // The condition sees only the facts of the rule's visibility class (a view): nothing else binds.
  // Evidence is stored whole; the trigger views cut it for each reader.
  return `INSERT INTO ${HITS} SELECT ${literal(rule.id)}, f.student_id, ${evidence} FROM ${FACTS_TABLE} f
    WHERE f.student_id IN (SELECT student_id FROM ${factsViewName(FACTS_TABLE, rule.visibility)} WHERE (${rule.condition}))`;
}

/** A trigger's stable id: the same rule, student, role and opening day always give the same id. */
// Letters g–v, not hexadecimal: a hex id can spell an identity code's shape (six digits, a century
// sign A–F, three digits, a check character), and a support export carrying it would be refused.
const triggerIdSql = (rule: string, student: string, role: string) =>
  `'T' || translate(substr(md5(${rule} || '|' || ${student} || '|' || ${role} || '|' || strftime($as_of::DATE, '%Y-%m-%d')), 1, 12), '0123456789abcdef', 'ghijklmnopqrstuv')`;

/** The last date triggers were run for, or null. */
export async function lastTriggerRun(db: Warehouse): Promise<string | null> {
  const row = await db.one(`SELECT strftime(max(as_of), '%Y-%m-%d') AS d FROM trigger_runs`);
  return (row?.['d'] as string | null) ?? null;
}

/**
 * Runs the rules as of a date and moves every trigger along its lifecycle: answered triggers are
 * resolved, new evidence updates the open trigger instead of duplicating it, new triggers open
 * unless a resolved one is cooling down, unacknowledged ones escalate, open ones follow their
 * student's assignments, and stale ones expire. One transaction: a crash leaves the last
 * complete run, and running the same date again creates nothing new.
 */
export async function runTriggers(db: Warehouse, rules: readonly TriggerRule[], opts: { asOf: string }, fx: { logger: Logger; clock: () => Date }): Promise<TriggerRunSummary> {
  const asOf = opts.asOf;
  // A run over nothing would still record its date and make later nights look done.
  if (!(await db.one(`SELECT 1 AS x FROM students LIMIT 1`))) {
    throw new KiinniError(ErrorCode.InsufficientData, 'The warehouse has no students: there is nothing to run triggers on, and no run was recorded.', "Load the exports first ('kiinni ingest --dir DIR' or 'kiinni run nightly' with files in the inbox).");
  }
  const lastRun = await lastTriggerRun(db);
  if (lastRun && lastRun > asOf) {
    throw new KiinniError(ErrorCode.Usage, `Triggers have already been run for ${lastRun}; a run for ${asOf} would rewrite their history.`, 'Run triggers for today or a later date.');
  }
  const p = { as_of: asOf };
  await db.run(studentFactsSql, { ...p, attendance_lag_days: await attendanceLagDays(db) });
  for (const sql of factsViewsSql(FACTS_TABLE)) await db.run(sql);
  await loadRulesTable(db, rules);
  await db.run(`CREATE OR REPLACE TEMP TABLE ${HITS} (rule_id VARCHAR, student_id VARCHAR, evidence VARCHAR)`);
  for (const rule of rules) await db.run(ruleHitsSql(rule), rule.params);
  const students = Number((await db.one(`SELECT count(*) AS n FROM ${FACTS_TABLE}`))?.['n'] ?? 0);
  const now = fx.clock().toISOString();
  const t = { ...p, now };

  const summary = await db.transaction(async () => {
    // 1. Triggers answered by a recorded intervention are resolved.
    await db.run(`CREATE OR REPLACE TEMP TABLE _answered AS
      SELECT t.trigger_id, arg_min(i.intervention_id, i.date) AS intervention_id, min(i.date) AS on_date,
             arg_min(i.staff_id, i.date) AS staff_id, arg_min(i.type, i.date) AS type
      FROM triggers t JOIN interventions i ON i.trigger_id = t.trigger_id AND i.student_id = t.student_id AND i.date <= $as_of::DATE
      WHERE t.status IN ('open', 'acknowledged') GROUP BY t.trigger_id`, p);
    const resolved = await db.run(`UPDATE triggers t SET status = 'resolved', closed_on = greatest(a.on_date, t.opened_on), closed_by = a.staff_id,
        outcome = 'intervention:' || a.type, intervention_id = a.intervention_id
      FROM _answered a WHERE a.trigger_id = t.trigger_id`);
    await db.run(`INSERT INTO trigger_events SELECT a.trigger_id, greatest(a.on_date, t.opened_on), 'resolved', t.role, a.staff_id, 'intervention:' || a.type, $now::TIMESTAMP
      FROM _answered a JOIN triggers t USING (trigger_id)`, { now });

    // 2. Hits expanded to the rule's target roles.
    await db.run(`CREATE OR REPLACE TEMP TABLE _role_hits AS
      SELECT h.rule_id, h.student_id, h.evidence, r.role AS first_role, r.family, r.visibility, r.severity, r.cooldown_days,
             ${triggerIdSql('h.rule_id', 'h.student_id', 'r.role')} AS new_id
      FROM ${HITS} h JOIN ${RULES} r USING (rule_id)`, p);

    // 3. New evidence updates the live trigger of the same rule, student and role.
    await db.run(`CREATE OR REPLACE TEMP TABLE _live AS
      SELECT t.trigger_id, h.evidence, t.evidence <> h.evidence AS changed
      FROM triggers t JOIN _role_hits h ON h.rule_id = t.rule_id AND h.student_id = t.student_id AND h.first_role = t.first_role
      WHERE t.status IN ('open', 'acknowledged')`);
    await db.run(`UPDATE triggers t SET last_seen_on = $as_of::DATE, evidence = l.evidence FROM _live l WHERE l.trigger_id = t.trigger_id`, p);
    const updated = await db.run(`INSERT INTO trigger_events SELECT l.trigger_id, $as_of::DATE, 'updated', t.role, t.staff_id, NULL, $now::TIMESTAMP
      FROM _live l JOIN triggers t USING (trigger_id) WHERE l.changed`, t);

    // 4. New triggers, unless one is live or a resolved one is still cooling down.
    await db.run(`CREATE OR REPLACE TEMP TABLE _new AS
      SELECT h.* FROM _role_hits h
      WHERE NOT EXISTS (SELECT 1 FROM triggers t WHERE t.rule_id = h.rule_id AND t.student_id = h.student_id AND t.first_role = h.first_role
          AND (t.status IN ('open', 'acknowledged') OR t.trigger_id = h.new_id
               OR (t.status = 'resolved' AND t.closed_on >= $as_of::DATE - h.cooldown_days)))`, p);
    await db.run(`INSERT INTO triggers (trigger_id, rule_id, family, visibility, severity, student_id, first_role, role, staff_id, routed_via, status, opened_on, last_seen_on, evidence)
      SELECT new_id, rule_id, family, visibility, severity, student_id, first_role, first_role, NULL, 'none', 'open', $as_of::DATE, $as_of::DATE, evidence FROM _new`, p);

    // 5. Escalation: still not acknowledged N days after opening → the rule's next role.
    await db.run(`CREATE OR REPLACE TEMP TABLE _escalated AS
      SELECT t.trigger_id, r.escalation_role FROM triggers t JOIN ${RULES} r ON r.rule_id = t.rule_id AND r.role = t.first_role
      WHERE t.status = 'open' AND t.escalated_on IS NULL AND r.escalation_role IS NOT NULL
        AND t.opened_on + r.escalation_after_days <= $as_of::DATE`, p);
    await db.run(`UPDATE triggers t SET role = e.escalation_role, escalated_on = $as_of::DATE FROM _escalated e WHERE e.trigger_id = t.trigger_id`, p);

    // 6. Routing: every open trigger goes to whoever holds its role for the student today.
    await db.run(routeOpenTriggersSql('_routes'), p);
    await db.run(`CREATE OR REPLACE TEMP TABLE _rerouted AS
      SELECT r.trigger_id FROM _routes r JOIN triggers t USING (trigger_id)
      WHERE (t.staff_id IS DISTINCT FROM r.staff_id OR t.routed_via <> r.routed_via) AND t.routed_via <> 'taken'
        AND r.trigger_id NOT IN (SELECT new_id FROM _new) AND r.trigger_id NOT IN (SELECT trigger_id FROM _escalated)`);
    await db.run(`UPDATE triggers t SET staff_id = r.staff_id, routed_via = r.routed_via FROM _routes r
      WHERE r.trigger_id = t.trigger_id AND (t.staff_id IS DISTINCT FROM r.staff_id OR t.routed_via <> r.routed_via) AND t.routed_via <> 'taken'`);
    await db.run(`INSERT INTO trigger_events SELECT trigger_id, $as_of::DATE, 'opened', role, staff_id, routed_via, $now::TIMESTAMP
      FROM triggers WHERE trigger_id IN (SELECT new_id FROM _new)`, t);
    const escalated = await db.run(`INSERT INTO trigger_events SELECT trigger_id, $as_of::DATE, 'escalated', role, staff_id, routed_via, $now::TIMESTAMP
      FROM triggers WHERE trigger_id IN (SELECT trigger_id FROM _escalated)`, t);
    const rerouted = await db.run(`INSERT INTO trigger_events SELECT trigger_id, $as_of::DATE, 'rerouted', role, staff_id, routed_via, $now::TIMESTAMP
      FROM triggers WHERE trigger_id IN (SELECT trigger_id FROM _rerouted)`, t);

    // 7. Expiry: the condition has not held for the rule's period, the student is no longer
    // active, or the rule has been switched off.
    await db.run(`CREATE OR REPLACE TEMP TABLE _expired AS
      SELECT t.trigger_id,
        CASE WHEN t.student_id NOT IN (SELECT student_id FROM ${FACTS_TABLE}) THEN 'student_not_active'
             WHEN r.rule_id IS NULL THEN 'rule_switched_off'
             ELSE 'condition_cleared' END AS why
      FROM triggers t LEFT JOIN ${RULES} r ON r.rule_id = t.rule_id AND r.role = t.first_role
      WHERE t.status IN ('open', 'acknowledged')
        AND (r.rule_id IS NULL OR t.last_seen_on < $as_of::DATE - r.expires_after_days
             OR t.student_id NOT IN (SELECT student_id FROM ${FACTS_TABLE}))`, p);
    const expired = await db.run(`UPDATE triggers t SET status = 'expired', closed_on = $as_of::DATE, outcome = e.why FROM _expired e WHERE e.trigger_id = t.trigger_id`, p);
    await db.run(`INSERT INTO trigger_events SELECT e.trigger_id, $as_of::DATE, 'expired', t.role, t.staff_id, e.why, $now::TIMESTAMP
      FROM _expired e JOIN triggers t USING (trigger_id)`, t);

    const counts = await db.one(`SELECT (SELECT count(*) FROM _new) AS opened,
      (SELECT count(*) FROM triggers WHERE status = 'open' AND staff_id IS NULL) AS gaps`);
    const byRule = await db.all(`SELECT rule_id, count(*) AS n FROM _new GROUP BY rule_id ORDER BY rule_id`);
    const s: TriggerRunSummary = {
      as_of: asOf,
      rules: rules.length,
      students,
      opened: Number(counts?.['opened'] ?? 0),
      updated,
      rerouted,
      escalated,
      resolved,
      expired,
      routing_gaps: Number(counts?.['gaps'] ?? 0),
      opened_by_rule: Object.fromEntries(byRule.map((r) => [String(r['rule_id']), Number(r['n'])])),
    };
    await db.run(`INSERT INTO trigger_runs VALUES ($as_of::DATE, $now::TIMESTAMP, $rules, $students, $opened, $updated, $rerouted, $escalated, $resolved, $expired, $gaps)`, {
      ...t, rules: s.rules, students: s.students, opened: s.opened, updated: s.updated, rerouted: s.rerouted, escalated: s.escalated, resolved: s.resolved, expired: s.expired, gaps: s.routing_gaps,
    });
    return s;
  });
  for (const name of [HITS, RULES, FACTS_TABLE, '_answered', '_role_hits', '_live', '_new', '_escalated', '_routes', '_rerouted', '_expired']) await db.run(`DROP TABLE IF EXISTS ${name}`);
  const { opened_by_rule: _, ...counts } = summary;
  fx.logger.info(counts, 'triggers_run');
  return summary;
}
