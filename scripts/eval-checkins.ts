#!/usr/bin/env node
// Evaluates check-ins at study bottlenecks on a generated cohort replayed over a school year.
//
// Part 1, the effect. The generator simulates a check-in programme (fixtures generate
// --checkin-programme): at the onset of a bottleneck a student is asked now, a little later, or
// not at all (capacity), at random given the bottleneck, and an answer changes their weekly
// exit hazard by a known multiplier. kiinni loads the programme's log (checkins import-log) and
// estimates "asked within 14 days vs not yet asked" (checkins effect); this script computes the
// generator's true effect on the same asked students and says whether the CI holds it.
//
// Part 2, the load. kiinni's own planner (checkins plan) runs every day of the year as the
// nightly pipeline would, with the model scoring on Mondays and Finnish school holidays as
// quiet periods. Each planned check-in is answered by a simulated student drawn from the
// generator's latent state that week (same response model as the generator), and each help
// request goes to the student's counsellor (studies) or the unit's welfare staff. Reported:
// check-ins per student per term, and peak daily help requests per counsellor and per unit
// against the configured capacity.
//
// Usage: npm run -s eval:checkins -- [--students 20000] [--seed 7] [--dir DIR] [--effect-only]
//        [--capacity-confidence 0.9] [--json]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkinEpisodes, estimateCheckinEffect, loadBottlenecks, planCheckins, planOptions } from '../src/checkins/index.js';
import { loadConfig } from '../src/core/config.js';
import { addDays, dayOfWeek } from '../src/core/dates.js';
import { silentLogger } from '../src/core/log.js';
import { Random } from '../src/core/random.js';
import { Warehouse } from '../src/db/warehouse.js';
import { scoreStudents } from '../src/model/index.js';
import { needCategories, needCategoryWeights, programmeAnswer } from '../src/synth/index.js';
import { args, kiinniRunner, log, rowAs, rowsAs, workDir } from './lib/harness.js';

const a = args('eval-checkins', {
  students: { type: 'string', default: '20000' },
  seed: { type: 'string', default: '7' },
  dir: { type: 'string', help: 'work directory (reused when it holds the cohort); default: a fresh one' },
  from: { type: 'string', default: '2025-08-11' },
  until: { type: 'string', default: '2026-05-31' },
  'effect-only': { type: 'boolean', default: false },
  'capacity-confidence': { type: 'string' },
});
const students = a.students;
const seed = a.seed;
const dir = a.dir ?? workDir(`eval-checkins-${students}-${seed}`);
const yearStart = a.from;
const yearEnd = a.until;
const outcomesKnown = '2026-07-31';
const json = a.json;

const configFile = path.join(dir, 'kiinni.yaml');
const kiinni = kiinniRunner(['--config', configFile]);

const t0 = performance.now();
const cohort = path.join(dir, 'cohort');
const data = path.join(dir, 'data');
mkdirSync(dir, { recursive: true });
// School holidays of 2025–26 in southern Finland (the generator's calendar) as quiet periods.
writeFileSync(
  configFile,
  `checkins:\n${a['capacity-confidence'] ? `  capacity_confidence: ${a['capacity-confidence']}\n` : ''}  quiet_periods:\n${[
    ['2025-10-13', '2025-10-19'],
    ['2025-12-20', '2026-01-11'],
    ['2026-02-16', '2026-02-22'],
    ['2026-06-01', '2026-08-09'],
  ]
    .map(([f, t]) => `    - { from: "${f}", to: "${t}" }`)
    .join('\n')}\n`,
);
if (!existsSync(path.join(cohort, 'checkins', 'plans.csv'))) {
  log(`generating ${students} students (seed ${seed}) with a check-in programme from ${yearStart}`);
  kiinni('fixtures', 'generate', '--students', students, '--seed', seed, '--out', cohort, '--checkin-programme', yearStart);
}
rmSync(data, { recursive: true, force: true });
kiinni('--data-dir', data, 'init');
log('ingesting');
kiinni('--data-dir', data, 'ingest', '--dir', cohort);
kiinni('--data-dir', data, 'checkins', 'import-log', path.join(cohort, 'checkins'));

// ---- Part 1: the effect, against the truth ------------------------------------------------
const effectOpts = { asOf: outcomesKnown, from: yearStart, graceDays: 14, windowDays: 90, bootstrap: 1000, seed: 1 };
let db = await Warehouse.open(path.join(data, 'kiinni.duckdb'));
const estimate = await estimateCheckinEffect(db, effectOpts);
const episodes = await checkinEpisodes(db, effectOpts);
await db.run(`CREATE TEMP TABLE _episodes (student_id VARCHAR, entry VARCHAR, treated VARCHAR)`);
await db.appendRows('_episodes', ['varchar', 'varchar', 'varchar'], episodes.map((e) => [e.student_id, e.opened_on, String(e.treated)]));
await db.run(`CREATE TEMP TABLE episodes AS SELECT student_id, entry::DATE AS entry, treated::BOOLEAN AS treated FROM _episodes`);
const q = (f: string) => `'${path.join(cohort, 'truth', f).replace(/'/g, "''")}'`;
// Expected probability of a negative exit in the outcome window with the generator's hazards as
// they were, and with the effect of the check-ins asked in [entry, end of window] taken out; for
// the asked episodes (the estimate is the effect on the treated).
const truth = await rowAs<{ actual: number; unasked: number; comparison_actual: number; comparison_unasked: number }>(db.one(`
  WITH weekly AS (
    SELECT student_id, week::DATE AS week, weekly_hazard AS h, row_number() OVER (PARTITION BY student_id ORDER BY week) AS idx
    FROM read_csv(${q('weekly_risk.csv')}, header = true) WHERE student_id IN (SELECT student_id FROM episodes)
  ),
  ck AS (
    SELECT c.student_id, c.asked_date::DATE AS asked, c.hazard_multiplier AS m, w.idx AS first_idx, c.effect_weeks
    FROM read_csv(${q('checkins.csv')}, header = true) c JOIN weekly w ON w.student_id = c.student_id AND w.week = c.first_week::DATE
  ),
  effect AS (
    SELECT w.student_id, w.idx, arg_max(ck.m, ck.first_idx) AS m, arg_max(ck.asked, ck.first_idx) AS asked
    FROM weekly w JOIN ck ON ck.student_id = w.student_id AND w.idx BETWEEN ck.first_idx AND ck.first_idx + ck.effect_weeks - 1
    GROUP BY ALL
  ),
  risk AS (
    SELECT e.student_id, e.treated,
      1 - exp(sum(ln(1 - w.h))) AS actual,
      1 - exp(sum(ln(1 - CASE WHEN f.asked BETWEEN e.entry AND e.entry + ${effectOpts.graceDays + effectOpts.windowDays} THEN w.h / f.m ELSE w.h END))) AS unasked
    FROM episodes e JOIN weekly w ON w.student_id = e.student_id
      AND w.week > e.entry + ${effectOpts.graceDays} AND w.week <= e.entry + ${effectOpts.graceDays + effectOpts.windowDays}
    LEFT JOIN effect f ON f.student_id = w.student_id AND f.idx = w.idx
    GROUP BY ALL
  )
  SELECT avg(actual) FILTER (WHERE treated) AS actual, avg(unasked) FILTER (WHERE treated) AS unasked,
    avg(actual) FILTER (WHERE NOT treated) AS comparison_actual, avg(unasked) FILTER (WHERE NOT treated) AS comparison_unasked
  FROM risk`));
const programme = await rowAs<{ asked: number; answered: number; help: number }>(db.one(`
  SELECT count(*) AS asked, count(*) FILTER (WHERE responded) AS answered, count(*) FILTER (WHERE need_help) AS help
  FROM read_csv(${q('checkins.csv')}, header = true)`));
db.close();
// The design compares "asked now" with "not yet asked", and some of the latter are asked later
// (another bottleneck, within the window). So the true contrast is the asked students' risk
// against what it would have been with the comparison group's check-in history, i.e. the ratio
// of the two groups' true effects; the effect against never being asked is reported beside it.
const comparisonEffect = truth.comparison_actual / truth.comparison_unasked;
const trueRrNever = truth.actual / truth.unasked;
const trueRr = trueRrNever / comparisonEffect;
const trueRd = truth.actual - truth.unasked * comparisonEffect;
const inside = (ci: [number, number] | null, x: number) => ci !== null && ci[0] <= x && x <= ci[1];

const f3 = (x: number | null) => (x === null || Number.isNaN(x) ? '–' : x.toFixed(3));
if (a['effect-only']) {
  const r = { students: Number(students), seed: Number(seed), ...estimate, true_risk_ratio: trueRr, true_risk_difference: trueRd, true_risk_ratio_vs_never_asked: trueRrNever, truth_inside_ci: { risk_ratio: inside(estimate.risk_ratio_ci, trueRr), risk_difference: inside(estimate.risk_difference_ci, trueRd) } };
  process.stdout.write(json ? JSON.stringify(r, null, 2) + '\n' : `${students} students: RR ${f3(r.risk_ratio)} [${r.risk_ratio_ci?.map(f3).join('–')}] (${r.treated} asked, ${r.comparison} not yet), truth ${f3(trueRr)} (vs never asked ${f3(trueRrNever)}); crude ${f3(r.crude_risk_ratio)}; inside CI: ${r.truth_inside_ci.risk_ratio}\n`);
  process.exit(0);
}

// ---- Part 2: kiinni's planner over the year, with simulated answers -----------------------
log('training the model on data up to the day before the year');
kiinni('--data-dir', data, 'model', 'train', '--as-of', addDays(yearStart, -1));
db = await Warehouse.open(path.join(data, 'kiinni.duckdb'));
await db.run(`DELETE FROM checkin_plans`);
await db.run(`DELETE FROM checkin_candidates`);
await db.run(`CREATE TABLE _latent AS SELECT student_id, week::DATE AS week, engagement AS e, wellbeing AS w FROM read_csv(${q('weekly_risk.csv')}, header = true) WHERE week::DATE >= $from::DATE - 7`, { from: yearStart });
const config = loadConfig(configFile);
const defs = await loadBottlenecks();
const fx = { logger: silentLogger(), clock: () => new Date() };
const rng = new Random(Number(seed), 0xe7a1);
const helps: [string, string, string, string | null][] = []; // [day, student, unit, category]
let planMs = 0;
let days = 0;
const dailyPlanned: number[] = [];
for (let day = yearStart; day <= yearEnd; day = addDays(day, 1)) {
  if (dayOfWeek(day) === 1) await scoreStudents(db, { asOf: day }, fx);
  const p0 = performance.now();
  const { summary } = await planCheckins(db, defs, planOptions(config, day), fx);
  planMs += performance.now() - p0;
  days++;
  dailyPlanned.push(summary.planned);
  if (!summary.planned) continue;
  // The simulated students answer from their latent state of that week (generator's response model).
  const asked = await rowsAs<{ student_id: string; unit: string; e: number; w: number }>(db.all(
    `SELECT p.student_id, p.unit, l.e, l.w FROM checkin_plans p
     JOIN _latent l ON l.student_id = p.student_id AND l.week = date_trunc('week', p.as_of)::DATE
     WHERE p.as_of = $d::DATE ORDER BY p.student_id`,
    { d: day },
  ));
  // Answers go into the warehouse like the gateway's export would, so the planner learns each
  // question set's help-request rate as the year goes on.
  const answers: [string, string, string, string, null, boolean, string | null, string][] = [];
  for (const a of asked) {
    if (!rng.chance(programmeAnswer.responds(a.e))) continue;
    const need = rng.chance(programmeAnswer.asksHelp(a.e, a.w));
    const c = need ? rng.pick(needCategories, needCategoryWeights(a.e, a.w)) : null;
    answers.push([a.student_id, `${day} 18:59:59`, 'check-in', 'want_contact', null, need, c, 'eval-checkins']);
    if (need) helps.push([day, a.student_id, a.unit, c]);
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE _answers (student_id VARCHAR, answered_at VARCHAR, source VARCHAR, item VARCHAR, value INTEGER, need_help VARCHAR, need_category VARCHAR, _ingest_id VARCHAR)`);
  await db.appendRows('_answers', ['varchar', 'varchar', 'varchar', 'varchar', 'integer', 'varchar', 'varchar', 'varchar'], answers.map(([id, at, source, item, value, need, category, ingest]) => [id, at, source, item, value, String(need), category, ingest]));
  await db.run(`INSERT INTO wellbeing SELECT student_id, answered_at::TIMESTAMP, source, item, value, need_help::BOOLEAN, need_category, _ingest_id FROM _answers`);
  if (day.endsWith('-01')) log(`${day}: ${Math.round(planMs / days)} ms per plan`);
}
await db.run(`CREATE TEMP TABLE _helps (day DATE, student_id VARCHAR, unit VARCHAR, category VARCHAR)`);
await db.appendRows('_helps', ['varchar', 'varchar', 'varchar', 'varchar'], helps);

const terms = await rowsAs<{ term: string; students: number; checkins: number; per_student: number; never_asked: number; most: number }>(db.all(`
  WITH t AS (SELECT * FROM (VALUES ('autumn 2025', DATE '2025-08-11', DATE '2025-12-19'), ('spring 2026', DATE '2026-01-12', DATE '2026-05-31')) t(term, first_day, last_day)),
  ended AS (SELECT student_id, min(date) AS end_date FROM study_right_events WHERE event IN ('resigned', 'deemed_resigned', 'transferred', 'graduated') GROUP BY student_id),
  present AS (
    SELECT t.term, s.student_id FROM t JOIN students s ON s.study_right_start <= t.last_day LEFT JOIN ended e USING (student_id)
    WHERE e.end_date IS NULL OR e.end_date >= t.first_day
  ),
  asked AS (SELECT t.term, p.student_id, count(*) AS n FROM t JOIN checkin_plans p ON p.as_of BETWEEN t.first_day AND t.last_day GROUP BY ALL)
  SELECT pr.term, count(*) AS students, sum(coalesce(a.n, 0)) AS checkins, avg(coalesce(a.n, 0)) AS per_student,
    count(*) FILTER (WHERE a.n IS NULL) AS never_asked, max(coalesce(a.n, 0)) AS most
  FROM present pr LEFT JOIN asked a USING (term, student_id) GROUP BY 1 ORDER BY 1`));
const byBottleneck = await rowsAs<{ bottleneck: string; checkins: number }>(db.all(`SELECT bottleneck, count(*) AS checkins FROM checkin_plans GROUP BY 1 ORDER BY 2 DESC`));
const skipped = await rowAs<{ over_capacity: number; asked_recently: number; candidates: number }>(db.one(`SELECT count(*) FILTER (WHERE status = 'over_capacity') AS over_capacity, count(*) FILTER (WHERE status = 'asked_recently') AS asked_recently, count(*) AS candidates FROM checkin_candidates`));
// Studies help goes to the student's counsellor that day; capacity per counsellor is the unit's
// daily studies capacity shared by its counsellors.
const counsellor = await rowAs<{ peak: number; p95: number; counsellor_days: number; days_over: number; capacity_min: number; capacity_max: number }>(db.one(`
  WITH routed AS (
    SELECT h.day, a.staff_id FROM _helps h JOIN assignments a ON a.student_id = h.student_id AND a.role = 'guidance_counsellor'
      AND a.valid_from <= h.day AND (a.valid_to IS NULL OR a.valid_to >= h.day)
    WHERE h.category = 'studies'
  ),
  per_day AS (SELECT staff_id, day, count(*) AS n FROM routed GROUP BY ALL),
  pool AS (
    SELECT s.unit, count(*) AS counsellors FROM staff s WHERE list_contains(s.roles, 'guidance_counsellor') GROUP BY 1
  ),
  cap AS (SELECT st.staff_id, $cap::DOUBLE / p.counsellors AS capacity FROM staff st JOIN pool p USING (unit))
  SELECT max(n) AS peak, quantile_cont(n, 0.95) AS p95, avg(n) AS mean_on_days_with_any, count(*) AS counsellor_days,
    count(*) FILTER (WHERE n > ceil(c.capacity)) AS days_over, min(c.capacity) AS capacity_min, max(c.capacity) AS capacity_max,
    (SELECT count(*) FROM per_day) AS rows, (SELECT count(DISTINCT staff_id) FROM routed) AS counsellors
  FROM per_day d JOIN cap c USING (staff_id)`, { cap: config.checkins.capacityPerUnit.studies }));
const units = await rowsAs<{ category: keyof typeof config.checkins.capacityPerUnit; peak: number; p95: number }>(db.all(`
  WITH per_day AS (SELECT unit, category, day, count(*) AS n FROM _helps GROUP BY ALL)
  SELECT category, max(n) AS peak, quantile_cont(n, 0.95) AS p95, count(*) AS unit_days FROM per_day GROUP BY 1 ORDER BY 1`));
const capacity = config.checkins.capacityPerUnit;
const unitOver = await rowsAs<{ category: string; days_over: number }>(db.all(`
  WITH per_day AS (SELECT unit, category, day, count(*) AS n FROM _helps GROUP BY ALL)
  SELECT category, count(*) FILTER (WHERE n > CASE category WHEN 'studies' THEN ${capacity.studies} WHEN 'wellbeing' THEN ${capacity.wellbeing} WHEN 'health' THEN ${capacity.health} ELSE ${capacity.life_situation} END) AS days_over
  FROM per_day GROUP BY 1 ORDER BY 1`));
const plannedDays = await rowAs<{ days: number; units: number }>(db.one(`SELECT count(DISTINCT as_of) AS days, count(DISTINCT unit) AS units FROM checkin_plans`));
db.close();

const result = {
  students: Number(students),
  seed: Number(seed),
  year: { from: yearStart, until: yearEnd, outcomes_known: outcomesKnown },
  effect: {
    ...estimate,
    simulated_programme: { asked: Number(programme.asked), answered: Number(programme.answered), help_requests: Number(programme.help) },
    true_risk_ratio: trueRr,
    true_risk_difference: trueRd,
    true_risk_ratio_vs_never_asked: trueRrNever,
    comparison_true_risk_ratio: comparisonEffect,
    truth_inside_ci: { risk_ratio: inside(estimate.risk_ratio_ci, trueRr), risk_difference: inside(estimate.risk_difference_ci, trueRd) },
  },
  load: {
    days,
    days_with_checkins: Number(plannedDays.days),
    plan_ms_per_day: Math.round(planMs / days),
    candidates: Number(skipped.candidates),
    skipped_over_capacity: Number(skipped.over_capacity),
    skipped_asked_recently: Number(skipped.asked_recently),
    peak_checkins_per_day: Math.max(...dailyPlanned),
    per_term: terms.map((t) => ({ term: t.term, students: Number(t.students), checkins: Number(t.checkins), per_student: Number(t.per_student), never_asked: Number(t.never_asked), most: Number(t.most) })),
    by_bottleneck: byBottleneck.map((b) => ({ bottleneck: b.bottleneck, checkins: Number(b.checkins) })),
    help_requests: helps.length,
    per_counsellor: {
      capacity_per_day: [Number(counsellor.capacity_min), Number(counsellor.capacity_max)],
      peak_per_day: Number(counsellor.peak),
      p95_on_days_with_any: Number(counsellor.p95),
      counsellor_days_with_any: Number(counsellor.counsellor_days),
      counsellor_days_over_capacity: Number(counsellor.days_over),
    },
    per_unit: units.map((u) => ({ category: u.category, capacity: capacity[u.category], peak_per_day: Number(u.peak), p95: Number(u.p95), days_over_capacity: Number(unitOver.find((x) => x.category === u.category)?.days_over ?? 0) })),
  },
  total_s: Math.round((performance.now() - t0) / 1000),
};

if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else {
  const f = (x: number | null) => (x === null || Number.isNaN(x) ? '–' : x.toFixed(3));
  const e = result.effect;
  const L = result.load;
  process.stdout.write(
    [
      `Effect (${students} students, seed ${seed}; generator's programme from ${yearStart}: ${e.simulated_programme.asked} asked, ${e.simulated_programme.answered} answered, ${e.simulated_programme.help_requests} help requests):`,
      `  ${e.treated} students asked within ${e.grace_days} days of a bottleneck (${e.treated_exits} negative exits in the next ${e.window_days} days) vs ${e.comparison} not yet asked (${e.comparison_exits}).`,
      `  Estimated risk ratio ${f(e.risk_ratio)} [95 % CI ${e.risk_ratio_ci?.map(f).join('–') ?? '–'}], risk difference ${f(e.risk_difference)} [${e.risk_difference_ci?.map(f).join('–') ?? '–'}]; crude ${f(e.crude_risk_ratio)}.`,
      `  Generator truth, asked now vs not yet asked: risk ratio ${f(trueRr)}, difference ${f(trueRd)} — inside the CI: ratio ${e.truth_inside_ci.risk_ratio}, difference ${e.truth_inside_ci.risk_difference}.`,
      `  (Against never being asked: ${f(e.true_risk_ratio_vs_never_asked)}; the not-yet-asked students' own later check-ins: ${f(e.comparison_true_risk_ratio)}.)`,
      '',
      `Load (kiinni's planner every day ${yearStart} – ${yearEnd}, ${L.days} days, ${L.days_with_checkins} with check-ins, ${L.plan_ms_per_day} ms per plan):`,
      ...L.per_term.map((t) => `  ${t.term}: ${t.checkins} check-ins for ${t.students} students = ${t.per_student.toFixed(2)} per student (never asked ${t.never_asked}, most ${t.most}).`),
      `  By bottleneck: ${L.by_bottleneck.map((b) => `${b.bottleneck} ${b.checkins}`).join(', ')}. Peak ${L.peak_checkins_per_day} check-ins in a day; ${L.skipped_over_capacity} candidate-days waited for capacity, ${L.skipped_asked_recently} were asked recently.`,
      `  ${L.help_requests} simulated help requests. Per counsellor (capacity ${L.per_counsellor.capacity_per_day.map((x) => x.toFixed(2)).join('–')} a day): peak ${L.per_counsellor.peak_per_day} in a day, p95 ${L.per_counsellor.p95_on_days_with_any} on days with any; ${L.per_counsellor.counsellor_days_over_capacity} of ${L.per_counsellor.counsellor_days_with_any} counsellor-days over capacity.`,
      ...L.per_unit.map((u) => `  Per unit, ${u.category} (capacity ${u.capacity} a day): peak ${u.peak_per_day}, p95 ${u.p95}, ${u.days_over_capacity} unit-days over.`),
      `Whole evaluation ${result.total_s} s.`,
    ].join('\n') + '\n',
  );
}
