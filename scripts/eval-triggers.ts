#!/usr/bin/env node
// Replays one school year of triggers day by day on a generated cohort with a known outcome and
// reports what staff would receive and what it catches:
//   - triggers per 100 active students per month, by rule and role;
//   - recall: share of students who made a negative exit in the year that had at least one
//     trigger opened at least 30 days before the exit;
//   - staff burden: share of triggered students who did not make a negative exit.
// The model is trained only on data before the year (--train-as-of), then scores every Monday;
// staff are simulated as resolving each trigger 7 days after it opens (outcome "supported").
// Usage: npm run -s eval:triggers -- [--students 20000] [--seed 7] [--config kiinni.yaml] [--dir DIR] [--json]
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/core/config.js';
import { addDays, dayOfWeek } from '../src/core/dates.js';
import { silentLogger } from '../src/core/log.js';
import { Warehouse } from '../src/db/warehouse.js';
import { scoreStudents } from '../src/model/index.js';
import { loadRules, resolveTrigger, runTriggers } from '../src/triggers/index.js';
import { args, kiinniRunner, log, rowAs, rowsAs, workDir } from './lib/harness.js';

const a = args('eval-triggers', {
  students: { type: 'string', default: '20000' },
  seed: { type: 'string', default: '7' },
  dir: { type: 'string', help: 'work directory (reused when it holds the cohort); default: a fresh one, printed' },
  from: { type: 'string', default: '2025-08-11' },
  until: { type: 'string', default: '2026-05-31' },
  'train-as-of': { type: 'string' },
  config: { type: 'string' },
});
const students = a.students;
const seed = a.seed;
const dir = a.dir ?? workDir(`eval-triggers-${students}-${seed}`);
const yearStart = a.from;
const yearEnd = a.until;
const trainAsOf = a['train-as-of'] ?? addDays(yearStart, -1);
const json = a.json;
log(`work directory ${dir} (eval:impact reads ${path.join(dir, 'data')})`);

const kiinni = kiinniRunner();

const t0 = performance.now();
const cohort = path.join(dir, 'cohort');
const data = path.join(dir, 'data');
if (!existsSync(path.join(cohort, 'students.csv'))) {
  mkdirSync(dir, { recursive: true });
  log(`generating ${students} students (seed ${seed})`);
  kiinni('fixtures', 'generate', '--students', students, '--seed', seed, '--out', cohort);
}
rmSync(data, { recursive: true, force: true });
kiinni('--data-dir', data, 'init');
log('ingesting');
kiinni('--data-dir', data, 'ingest', '--dir', cohort);
log(`training on data up to ${trainAsOf}`);
const trained = JSON.parse(kiinni('--data-dir', data, '--json', 'model', 'train', '--as-of', trainAsOf)) as { version: string; evaluation: { roc_auc: number } };
log(`model ${trained.version}: test ROC AUC ${trained.evaluation.roc_auc.toFixed(3)}`);

const db = await Warehouse.open(path.join(data, 'kiinni.duckdb'));
const rules = await loadRules(loadConfig(a.config));
const fx = { logger: silentLogger(), clock: () => new Date() };
let runMs = 0;
let scoreMs = 0;
let days = 0;
let resolved = 0;
for (let day = yearStart; day <= yearEnd; day = addDays(day, 1)) {
  const weekday = dayOfWeek(day);
  if (weekday === 1) {
    const s0 = performance.now();
    await scoreStudents(db, { asOf: day }, fx);
    scoreMs += performance.now() - s0;
  }
  const r0 = performance.now();
  await runTriggers(db, rules, { asOf: day }, fx);
  runMs += performance.now() - r0;
  days++;
  // Simulated staff: each routed trigger still open a week after opening is resolved.
  const due = await rowsAs<{ trigger_id: string; staff_id: string }>(db.all(`SELECT trigger_id, staff_id FROM triggers WHERE status IN ('open', 'acknowledged') AND staff_id IS NOT NULL AND opened_on = $d::DATE - 7`, { d: day }));
  for (const t of due) await resolveTrigger(db, t.trigger_id, t.staff_id, 'supported', day, new Date());
  resolved += due.length;
  if (day.endsWith('-01')) log(`${day}: ${Math.round(runMs / days)} ms per trigger run`);
}

// Active students on the 15th of each month of the year, for rates per 100 students.
const months = await rowsAs<{ month: string; active: number }>(db.all(`
  WITH m AS (SELECT CAST(d AS DATE) AS d FROM range($from::DATE + 4, $until::DATE, INTERVAL 1 MONTH) t(d)),
  exits AS (SELECT student_id, min(date) AS exit_date FROM study_right_events WHERE event IN ('resigned', 'deemed_resigned', 'transferred', 'graduated') GROUP BY student_id)
  SELECT strftime(m.d, '%Y-%m') AS month, count(*) AS active
  FROM m JOIN students s ON s.study_right_start <= m.d LEFT JOIN exits x USING (student_id)
  WHERE x.exit_date IS NULL OR x.exit_date > m.d GROUP BY 1 ORDER BY 1`, { from: yearStart, until: yearEnd }));
const activeByMonth: Record<string, number> = Object.fromEntries(months.map((m) => [m.month, Number(m.active)]));
const avgActive = months.reduce((s, m) => s + Number(m.active), 0) / months.length;

const byRuleRole = await rowsAs<{ rule: string; role: string; opened: number; students: number }>(db.all(`
  SELECT rule_id AS rule, first_role AS role, count(*) AS opened, count(DISTINCT student_id) AS students
  FROM triggers WHERE opened_on BETWEEN $from::DATE AND $until::DATE GROUP BY ALL ORDER BY rule, role`, { from: yearStart, until: yearEnd }));
const byMonth = await rowsAs<{ month: string; role: string; opened: number }>(db.all(`
  SELECT strftime(opened_on, '%Y-%m') AS month, first_role AS role, count(*) AS opened
  FROM triggers WHERE opened_on BETWEEN $from::DATE AND $until::DATE GROUP BY ALL ORDER BY 1, 2`, { from: yearStart, until: yearEnd }));
const monthsN = months.length;
const rate = (n: number) => Math.round((n / avgActive / monthsN) * 100 * 100) / 100;

// Recall and burden. Exits counted from 30 days into the year (earlier ones could not have a
// 30-day lead inside it) to the end of the year.
const outcomes = await rowAs<{ exits: number; caught_any: number; caught_rules: number; caught_model: number; triggered_students: number; triggered_no_exit: number }>(db.one(`
  WITH neg AS (
    SELECT student_id, min(date) AS exit_date FROM study_right_events WHERE event IN ('resigned', 'deemed_resigned') GROUP BY student_id
  ),
  ended AS (SELECT student_id, min(date) AS end_date FROM study_right_events WHERE event IN ('resigned', 'deemed_resigned', 'transferred', 'graduated') GROUP BY student_id),
  exits AS (
    SELECT n.student_id, n.exit_date FROM neg n JOIN ended e USING (student_id)
    WHERE n.exit_date = e.end_date AND n.exit_date BETWEEN $from::DATE + 30 AND $until::DATE
  ),
  caught AS (
    SELECT x.student_id,
      bool_or(t.trigger_id IS NOT NULL) AS any_rule,
      bool_or(t.rule_id <> 'high_risk_no_support') AS rules_only,
      bool_or(t.rule_id = 'high_risk_no_support') AS model_only
    FROM exits x LEFT JOIN triggers t ON t.student_id = x.student_id AND t.opened_on >= $from::DATE AND t.opened_on <= x.exit_date - 30
    GROUP BY x.student_id
  ),
  triggered AS (SELECT DISTINCT student_id FROM triggers WHERE opened_on BETWEEN $from::DATE AND $until::DATE),
  all_neg AS (SELECT student_id FROM neg n JOIN ended e USING (student_id) WHERE n.exit_date = e.end_date AND n.exit_date >= $from::DATE)
  SELECT (SELECT count(*) FROM exits) AS exits,
    (SELECT count(*) FILTER (WHERE any_rule) FROM caught) AS caught_any,
    (SELECT count(*) FILTER (WHERE rules_only) FROM caught) AS caught_rules,
    (SELECT count(*) FILTER (WHERE model_only) FROM caught) AS caught_model,
    (SELECT count(*) FROM triggered) AS triggered_students,
    (SELECT count(*) FROM triggered WHERE student_id NOT IN (SELECT student_id FROM all_neg)) AS triggered_no_exit`,
  { from: yearStart, until: yearEnd }));
const recallByRule = await rowsAs<{ rule: string; exits_caught: number; students: number; students_exited: number }>(db.all(`
  WITH neg AS (SELECT student_id, min(date) AS exit_date FROM study_right_events WHERE event IN ('resigned', 'deemed_resigned') GROUP BY student_id),
  ended AS (SELECT student_id, min(date) AS end_date FROM study_right_events WHERE event IN ('resigned', 'deemed_resigned', 'transferred', 'graduated') GROUP BY student_id),
  exits AS (SELECT n.student_id, n.exit_date FROM neg n JOIN ended e USING (student_id) WHERE n.exit_date = e.end_date AND n.exit_date BETWEEN $from::DATE + 30 AND $until::DATE),
  triggered AS (SELECT rule_id, student_id, min(opened_on) AS first_on FROM triggers WHERE opened_on BETWEEN $from::DATE AND $until::DATE GROUP BY ALL)
  SELECT t.rule_id AS rule,
    count(DISTINCT x.student_id) FILTER (WHERE t.first_on <= x.exit_date - 30) AS exits_caught,
    count(DISTINCT t.student_id) AS students,
    count(DISTINCT t.student_id) FILTER (WHERE x2.student_id IS NOT NULL) AS students_exited
  FROM triggered t LEFT JOIN exits x USING (student_id)
  LEFT JOIN (SELECT n.student_id FROM neg n JOIN ended e USING (student_id) WHERE n.exit_date = e.end_date AND n.exit_date >= $from::DATE) x2 ON x2.student_id = t.student_id
  GROUP BY 1 ORDER BY 1`, { from: yearStart, until: yearEnd }));
db.close();

const result = {
  students: Number(students),
  seed: Number(seed),
  year: { from: yearStart, until: yearEnd, days, months: monthsN, average_active_students: Math.round(avgActive) },
  model: { version: trained.version, trained_as_of: trainAsOf, test_roc_auc: trained.evaluation.roc_auc },
  per_100_students_per_month: {
    total: rate(byRuleRole.reduce((s, r) => s + r.opened, 0)),
    by_rule_role: byRuleRole.map((r) => ({ ...r, per_100_per_month: rate(r.opened) })),
    by_month_role: byMonth.map((r) => ({ ...r, per_100: Math.round((r.opened / activeByMonth[r.month]!) * 100 * 100) / 100 })),
  },
  recall_30d: {
    negative_exits: outcomes.exits,
    any_trigger: outcomes.caught_any / outcomes.exits,
    rules_without_model: outcomes.caught_rules / outcomes.exits,
    model_trigger: outcomes.caught_model / outcomes.exits,
    by_rule: recallByRule.map((r) => ({ rule: r.rule, recall: r.exits_caught / outcomes.exits, students: r.students, share_without_exit: 1 - r.students_exited / r.students })),
  },
  burden: { triggered_students: outcomes.triggered_students, share_without_negative_exit: outcomes.triggered_no_exit / outcomes.triggered_students },
  work_dir: dir,
  timing: { trigger_run_ms_per_day: Math.round(runMs / days), weekly_scoring_ms: Math.round(scoreMs / Math.max(1, Math.ceil(days / 7))), simulated_resolutions: resolved, total_s: Math.round((performance.now() - t0) / 1000) },
};
if (json) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} else {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `Triggers replayed ${result.year.from} – ${result.year.until} (${days} days) on ${students} synthetic students (seed ${seed}), ${result.year.average_active_students} active on average.`,
    `Model ${trained.version} trained on data up to ${trainAsOf} (test ROC AUC ${trained.evaluation.roc_auc.toFixed(3)}), scored every Monday.`,
    '',
    `Triggers per 100 active students per month: ${result.per_100_students_per_month.total}`,
    '',
    '| rule | role | opened | students | per 100 / month | recall ≥30 d | triggered without exit |',
    '|---|---|---|---|---|---|---|',
    ...result.per_100_students_per_month.by_rule_role.map((r) => {
      const rr = result.recall_30d.by_rule.find((x) => x.rule === r.rule);
      return `| ${r.rule} | ${r.role} | ${r.opened} | ${r.students} | ${r.per_100_per_month} | ${rr ? pct(rr.recall) : '–'} | ${rr ? pct(rr.share_without_exit) : '–'} |`;
    }),
    '',
    `Negative exits in the year (from day 30): ${outcomes.exits}. With a trigger ≥30 days before the exit: any rule ${pct(result.recall_30d.any_trigger)}, rules without the model ${pct(result.recall_30d.rules_without_model)}, the model rule ${pct(result.recall_30d.model_trigger)}.`,
    `Staff burden: ${outcomes.triggered_students} students triggered, ${pct(result.burden.share_without_negative_exit)} of them did not make a negative exit.`,
    `Timing: trigger run ${result.timing.trigger_run_ms_per_day} ms per day, scoring ${result.timing.weekly_scoring_ms} ms per Monday, whole evaluation ${result.timing.total_s} s.`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
