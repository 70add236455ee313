#!/usr/bin/env node
// Checks kiinni's impact estimate (timely contact after a trigger) against the generator's known
// truth on the same episodes. Run after `npm run -s eval:triggers` (it leaves a warehouse with a
// year of triggers, scores and the generator's interventions, and the cohort's truth/ files).
// Usage: npm run -s eval:impact -- --data-dir DIR/data [--truth DIR/cohort/truth] [--as-of 2026-05-31] [--from 2025-08-11] [--json]
//        (DIR is the directory eval:triggers printed)
import path from 'node:path';
import { Warehouse } from '../src/db/warehouse.js';
import { contactEpisodes, estimateImpact } from '../src/report/index.js';
import { args, num, rowAs } from './lib/harness.js';

const a = args('eval-impact', { 'data-dir': { type: 'string' }, truth: { type: 'string' }, 'as-of': { type: 'string', default: '2026-05-31' }, from: { type: 'string', default: '2025-08-11' }, bootstrap: { type: 'string', default: '500' } }, ['data-dir']);
const dataDir = a['data-dir']!;
const truth = a.truth ?? path.join(path.dirname(dataDir), 'cohort', 'truth');
const o = { asOf: a['as-of'], from: a.from, contactDays: 7, windowDays: 90, bootstrap: num('bootstrap', a.bootstrap), seed: 1 };

const db = await Warehouse.open(path.join(dataDir, 'kiinni.duckdb'));
const episodes = await contactEpisodes(db, o);
const estimate = estimateImpact(episodes, o);

// The truth for the treated episodes: the expected probability of a negative exit within the
// window with the generator's hazards as they were, against the same hazards with the effect of
// every contact made inside the window taken out (the comparison group had none).
await db.run(`CREATE TEMP TABLE episodes (trigger_id VARCHAR, student_id VARCHAR, opened_on DATE)`);
await db.appendRows('episodes', ['varchar', 'varchar', 'varchar'], episodes.filter((e) => e.treated).map((e) => [e.trigger_id, e.student_id, e.opened_on]));
const q = (f: string) => `'${path.join(truth, f).replace(/'/g, "''")}'`;
const row = await rowAs<{ actual: number; without_contact: number; n: number }>(db.one(`
  WITH weekly AS (
    SELECT student_id, week::DATE AS week, weekly_hazard AS h, row_number() OVER (PARTITION BY student_id ORDER BY week) AS idx
    FROM read_csv(${q('weekly_risk.csv')}, header = true) WHERE student_id IN (SELECT student_id FROM episodes)
  ),
  iv AS (
    SELECT t.student_id, t.date::DATE AS contact_date, t.hazard_multiplier AS m, w.idx + 1 + (t.delay_days // 7) AS first_idx, t.effect_weeks
    FROM read_csv(${q('interventions.csv')}, header = true) t
    JOIN weekly w ON w.student_id = t.student_id AND w.week = t.signal_date::DATE - 4
  ),
  effect AS (
    -- The multiplier in force each week: the latest contact whose effect covers it.
    SELECT w.student_id, w.idx, arg_max(iv.m, iv.first_idx) AS m, arg_max(iv.contact_date, iv.first_idx) AS contact_date
    FROM weekly w JOIN iv ON iv.student_id = w.student_id AND w.idx BETWEEN iv.first_idx AND iv.first_idx + iv.effect_weeks - 1
    GROUP BY ALL
  ),
  risk AS (
    SELECT e.trigger_id,
      1 - exp(sum(ln(1 - w.h))) AS actual,
      1 - exp(sum(ln(1 - CASE WHEN f.contact_date BETWEEN e.opened_on AND e.opened_on + 90 THEN w.h / f.m ELSE w.h END))) AS without_contact
    FROM episodes e JOIN weekly w ON w.student_id = e.student_id AND w.week > e.opened_on AND w.week <= e.opened_on + 90
    LEFT JOIN effect f ON f.student_id = w.student_id AND f.idx = w.idx
    GROUP BY e.trigger_id
  )
  SELECT avg(actual) AS actual, avg(without_contact) AS without_contact, count(*) AS n FROM risk`));
db.close();
const trueRr = row.actual / row.without_contact;
const trueRd = row.actual - row.without_contact;
const inside = (ci: [number, number] | null, x: number) => ci !== null && ci[0] <= x && x <= ci[1];
const result = {
  ...estimate,
  true_risk_ratio: trueRr,
  true_risk_difference: trueRd,
  truth_inside_ci: { risk_ratio: inside(estimate.risk_ratio_ci, trueRr), risk_difference: inside(estimate.risk_difference_ci, trueRd) },
};
if (a.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else {
  const f = (x: number | null) => (x === null ? '–' : x.toFixed(3));
  process.stdout.write(
    [
      `Episodes ${estimate.episodes}: contacted within 7 days ${estimate.treated} (${estimate.treated_exits} negative exits within 90 days), no contact within 90 days ${estimate.comparison} (${estimate.comparison_exits}); common support ${(estimate.common_support * 100).toFixed(1)} %.`,
      `Crude risk ratio ${f(estimate.crude_risk_ratio)}; risk-adjusted (ATT) ${f(estimate.risk_ratio)} [95 % CI ${estimate.risk_ratio_ci?.map(f).join('–') ?? '–'}], risk difference ${f(estimate.risk_difference)} [${estimate.risk_difference_ci?.map(f).join('–') ?? '–'}].`,
      `Generator truth on the same treated episodes: risk ratio ${f(trueRr)}, risk difference ${f(trueRd)} — inside the CI: ratio ${result.truth_inside_ci.risk_ratio}, difference ${result.truth_inside_ci.risk_difference}.`,
    ].join('\n') + '\n',
  );
}
