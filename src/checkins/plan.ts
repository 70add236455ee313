import type { Config } from '../core/config.js';
import { addDays } from '../core/dates.js';
import type { Logger } from '../core/log.js';
import { literal } from '../db/sql.js';
import type { Warehouse } from '../db/warehouse.js';
import { attendanceLagDays } from '../features/index.js';
import { factsVisibleTo, studentFactsSql } from '../triggers/index.js';
import type { CheckinDefinitions } from './bottlenecks.js';
import { needCategories, type Language } from '../core/vocabulary.js';

export { needCategories } from '../core/vocabulary.js';
export type NeedCategory = (typeof needCategories)[number];

export interface PlanOptions {
  asOf: string;
  minDaysBetween: number;
  quietPeriods: { from: string; to: string }[];
  capacityPerUnit: Record<NeedCategory, number>;
  /** Keep the realised requests within capacity with this probability; undefined: on average. */
  capacityConfidence?: number | undefined;
}

/** One check-in to send today: what the messaging gateway needs, and nothing about why in welfare terms. */
export interface PlannedCheckin {
  student_id: string;
  given_name: string | null;
  language: Language;
  unit: string;
  bottleneck: string;
  question_set: string;
}

export interface PlanSummary {
  as_of: string;
  quiet_period: boolean;
  candidates: number;
  planned: number;
  skipped: { opted_out: number; asked_recently: number; over_capacity: number };
  /** Help requests per answered check-in by need category: observed in the last year of check-in answers, or the prior. */
  help_rates: Record<NeedCategory, number>;
  help_rates_source: 'observed' | 'prior';
  /**
   * Help requests per check-in sent, per question set: observed over the last year's plans of
   * that set (an answer within 3 days of the check-in counts), or `help_rates` while fewer than
   * 100 of the set were sent. The capacity check uses these.
   */
  help_rates_by_question_set: Record<string, { rates: Record<NeedCategory, number>; source: 'observed' | 'overall' | 'prior'; sent: number }>;
  /** Expected help requests from today's plan, per unit and category (capacity is the cap). */
  expected_help: Record<string, Record<NeedCategory, number>>;
}

const PRIOR_RATE = 0.03;

/** Plan options from the provider's config (`checkins:`). */
export function planOptions(config: Config, asOf: string): PlanOptions {
  const c = config.checkins;
  return { asOf, minDaysBetween: c.minDaysBetween, quietPeriods: c.quietPeriods, capacityPerUnit: c.capacityPerUnit, capacityConfidence: c.capacityConfidence };
}

/**
 * The largest expected number of requests λ for which a Poisson count stays within `capacity`
 * with probability `confidence` (bisection; the CDF falls as λ grows).
 */
export function poissonLoadLimit(capacity: number, confidence: number): number {
  if (capacity <= 0) return 0; // none can be answered: plan none
  const k = Math.floor(capacity + 1e-9);
  const cdf = (lambda: number) => {
    let term = Math.exp(-lambda);
    let sum = term;
    for (let i = 1; i <= k; i++) sum += term *= lambda / i;
    return sum;
  };
  if (cdf(0) < confidence) return 0;
  let lo = 0;
  let hi = k + 10 * Math.sqrt(k + 1) + 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) >= confidence) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Help requests per answered check-in, by category, over the year before the date. */
async function helpRates(db: Warehouse, asOf: string): Promise<{ rates: Record<NeedCategory, number>; source: 'observed' | 'prior' }> {
  const row = await db.one(
    `SELECT count(DISTINCT (student_id, answered_at::DATE)) AS sessions,
       count(*) FILTER (WHERE need_help AND need_category = 'studies') AS studies,
       count(*) FILTER (WHERE need_help AND coalesce(need_category, 'wellbeing') = 'wellbeing') AS wellbeing,
       count(*) FILTER (WHERE need_help AND need_category = 'health') AS health,
       count(*) FILTER (WHERE need_help AND need_category = 'life_situation') AS life_situation
     FROM wellbeing WHERE source = 'check-in' AND answered_at::DATE <= $as_of::DATE AND answered_at::DATE > $as_of::DATE - 365`,
    { as_of: asOf },
  );
  const sessions = Number(row?.['sessions'] ?? 0);
  if (sessions < 100) return { rates: { studies: PRIOR_RATE, wellbeing: PRIOR_RATE, health: PRIOR_RATE, life_situation: PRIOR_RATE }, source: 'prior' };
  return { rates: Object.fromEntries(needCategories.map((c) => [c, Number(row![c]) / sessions])) as Record<NeedCategory, number>, source: 'observed' };
}

/** Help requests per check-in sent of each question set, over the year's plans (answers within 3 days). */
async function helpRatesBySet(db: Warehouse, asOf: string, sets: readonly string[], overall: { rates: Record<NeedCategory, number>; source: 'observed' | 'prior' }): Promise<PlanSummary['help_rates_by_question_set']> {
  const rows = await db.all(
    `WITH sent AS (
       SELECT student_id, as_of, question_set FROM checkin_plans WHERE as_of <= $as_of::DATE - 3 AND as_of > $as_of::DATE - 365
     ),
     help AS (
       SELECT student_id, answered_at::DATE AS day, coalesce(need_category, 'wellbeing') AS category
       FROM wellbeing WHERE source = 'check-in' AND need_help AND answered_at::DATE < $as_of::DATE AND answered_at::DATE > $as_of::DATE - 368
     ),
     per AS (
       SELECT s.question_set, s.student_id, s.as_of,
         bool_or(h.category = 'studies') AS studies, bool_or(h.category = 'wellbeing') AS wellbeing,
         bool_or(h.category = 'health') AS health, bool_or(h.category = 'life_situation') AS life_situation
       FROM sent s LEFT JOIN help h ON h.student_id = s.student_id AND h.day BETWEEN s.as_of AND s.as_of + 3
       GROUP BY ALL
     )
     SELECT question_set, count(*) AS sent, count(*) FILTER (WHERE studies) AS studies, count(*) FILTER (WHERE wellbeing) AS wellbeing,
       count(*) FILTER (WHERE health) AS health, count(*) FILTER (WHERE life_situation) AS life_situation
     FROM per GROUP BY 1`,
    { as_of: asOf },
  );
  const out: PlanSummary['help_rates_by_question_set'] = {};
  for (const set of sets) {
    const r = rows.find((x) => x['question_set'] === set);
    const sent = Number(r?.['sent'] ?? 0);
    out[set] =
      sent >= 100
        ? { rates: Object.fromEntries(needCategories.map((c) => [c, Number(r![c]) / sent])) as Record<NeedCategory, number>, source: 'observed', sent }
        : { rates: overall.rates, source: overall.source === 'observed' ? 'overall' : 'prior', sent };
  }
  return out;
}

/**
 * Today's check-in plan: students at a bottleneck (the highest-priority one each), minus those
 * who opted out or were asked within `minDaysBetween` days, in order of bottleneck priority and
 * risk, while each unit's expected help requests per need category stay within its daily
 * capacity (or, with `capacityConfidence`, while the day's requests stay within it with that
 * probability, counting them as Poisson). Nothing is planned inside a quiet period. The plan
 * is recorded in `checkin_plans` (planning the same date again replaces it).
 */
export async function planCheckins(db: Warehouse, defs: CheckinDefinitions, o: PlanOptions, fx: { logger: Logger; clock: () => Date }): Promise<{ summary: PlanSummary; checkins: PlannedCheckin[] }> {
  const inQuiet = o.quietPeriods.some((q) => q.from <= o.asOf && o.asOf <= q.to);
  const backFromBreak = o.quietPeriods.some((q) => q.to < o.asOf && o.asOf <= addDays(q.to, 7));
  const overall = await helpRates(db, o.asOf);
  const bySet = await helpRatesBySet(db, o.asOf, Object.keys(defs.question_sets), overall);
  const summary: PlanSummary = {
    as_of: o.asOf,
    quiet_period: inQuiet,
    candidates: 0,
    planned: 0,
    skipped: { opted_out: 0, asked_recently: 0, over_capacity: 0 },
    help_rates: overall.rates,
    help_rates_source: overall.source,
    help_rates_by_question_set: bySet,
    expected_help: {},
  };
  if (inQuiet) return { summary, checkins: [] };

  await db.run(studentFactsSql, { as_of: o.asOf, attendance_lag_days: await attendanceLagDays(db) });
  await db.run(
    // Ordinary facts only: the plan leaves kiinni for a messaging gateway.
    `CREATE OR REPLACE TEMP TABLE _checkin_facts AS
     SELECT f.student_id, ${factsVisibleTo('ordinary').map((x) => `f.${x.name}`).join(', ')}, date_diff('day', $as_of::DATE, s.planned_end)::INTEGER AS days_to_planned_end, $back::BOOLEAN AS back_from_break
     FROM _student_facts f JOIN students s USING (student_id)`,
    { as_of: o.asOf, back: backFromBreak },
  );
  await db.run(`CREATE OR REPLACE TEMP TABLE _checkin_candidates (student_id VARCHAR, bottleneck VARCHAR, priority INTEGER)`);
  for (const b of defs.bottlenecks) {
    await db.run(`INSERT INTO _checkin_candidates SELECT student_id, ${literal(b.id)}, ${b.priority} FROM _checkin_facts WHERE (${b.condition})`);
  }
  const rows = await db.all(
    `WITH best AS (
       SELECT student_id, arg_min(bottleneck, priority * 1000 + hash(bottleneck) % 1000) AS bottleneck, min(priority) AS priority
       FROM _checkin_candidates GROUP BY student_id
     )
     SELECT b.student_id, b.bottleneck, b.priority, f.unit, s.given_name, s.home_language,
       EXISTS (SELECT 1 FROM checkin_optouts o WHERE o.student_id = b.student_id AND o.since <= $as_of::DATE) AS opted_out,
       EXISTS (SELECT 1 FROM checkin_plans p WHERE p.student_id = b.student_id AND p.as_of < $as_of::DATE AND p.as_of > $as_of::DATE - $gap::INTEGER) AS asked_recently
     FROM best b JOIN _checkin_facts f USING (student_id) JOIN _student_facts sf USING (student_id) JOIN students s USING (student_id)
     ORDER BY b.priority, sf.risk_probability DESC NULLS LAST, hash(b.student_id || $as_of), b.student_id`,
    { as_of: o.asOf, gap: o.minDaysBetween },
  );
  summary.candidates = rows.length;
  const setOf = new Map(defs.bottlenecks.map((b) => [b.id, b.question_set]));
  const limit = Object.fromEntries(
    needCategories.map((c) => [c, o.capacityConfidence === undefined ? o.capacityPerUnit[c] : poissonLoadLimit(o.capacityPerUnit[c], o.capacityConfidence)]),
  ) as Record<NeedCategory, number>;
  const checkins: PlannedCheckin[] = [];
  // Every candidate and what became of them: the check-in effect estimate compares the asked
  // with those at the same bottleneck not (yet) asked.
  const candidates: [string, string, string][] = [];
  for (const r of rows) {
    const skip = (why: keyof PlanSummary['skipped']) => {
      summary.skipped[why]++;
      candidates.push([String(r['student_id']), String(r['bottleneck']), why]);
    };
    if (r['opted_out']) {
      skip('opted_out');
      continue;
    }
    if (r['asked_recently']) {
      skip('asked_recently');
      continue;
    }
    const unit = String(r['unit']);
    const rates = bySet[setOf.get(String(r['bottleneck']))!]!.rates;
    const load = (summary.expected_help[unit] ??= { studies: 0, wellbeing: 0, health: 0, life_situation: 0 });
    if (needCategories.some((c) => load[c] + rates[c] > limit[c] + 1e-9)) {
      skip('over_capacity');
      continue;
    }
    candidates.push([String(r['student_id']), String(r['bottleneck']), 'planned']);
    for (const c of needCategories) load[c] += rates[c];
    const lang = String(r['home_language']);
    checkins.push({
      student_id: String(r['student_id']),
      given_name: (r['given_name'] as string | null) ?? null,
      language: lang === 'sv' ? 'sv' : lang === 'en' ? 'en' : 'fi',
      unit,
      bottleneck: String(r['bottleneck']),
      question_set: setOf.get(String(r['bottleneck']))!,
    });
  }
  summary.planned = checkins.length;
  await db.run(`CREATE OR REPLACE TEMP TABLE _checkin_plan (student_id VARCHAR, bottleneck VARCHAR, question_set VARCHAR, unit VARCHAR)`);
  await db.appendRows('_checkin_plan', ['varchar', 'varchar', 'varchar', 'varchar'], checkins.map((c) => [c.student_id, c.bottleneck, c.question_set, c.unit]));
  await db.run(`CREATE OR REPLACE TEMP TABLE _checkin_outcome (student_id VARCHAR, bottleneck VARCHAR, status VARCHAR)`);
  await db.appendRows('_checkin_outcome', ['varchar', 'varchar', 'varchar'], candidates);
  await db.transaction(async () => {
    await db.run(`DELETE FROM checkin_plans WHERE as_of = $as_of::DATE`, { as_of: o.asOf });
    await db.run(`DELETE FROM checkin_candidates WHERE as_of = $as_of::DATE`, { as_of: o.asOf });
    await db.run(`INSERT INTO checkin_plans SELECT $as_of::DATE, student_id, bottleneck, question_set, unit, $at::TIMESTAMP FROM _checkin_plan`, { as_of: o.asOf, at: fx.clock().toISOString() });
    await db.run(`INSERT INTO checkin_candidates SELECT $as_of::DATE, student_id, bottleneck, status FROM _checkin_outcome`, { as_of: o.asOf });
  });
  for (const t of ['_checkin_plan', '_checkin_outcome', '_checkin_candidates', '_checkin_facts', '_student_facts']) await db.run(`DROP TABLE IF EXISTS ${t}`);
  fx.logger.info({ as_of: o.asOf, candidates: summary.candidates, planned: summary.planned, ...summary.skipped }, 'checkins_planned');
  return { summary, checkins };
}
