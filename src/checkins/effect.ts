import type { Warehouse } from '../db/warehouse.js';
import { estimateImpact, riskQuintiles, type Episode, type ImpactEstimate } from '../core/effect-estimate.js';
import { exitEvents, negativeExits, sqlList } from '../core/vocabulary.js';

/**
 * Did students asked at a bottleneck exit less than comparable students not (yet) asked?
 *
 * One episode per student: the first day in the window on which they were at a bottleneck
 * (a candidate in `checkin_candidates`, after 60 days without being one for it), not opted out
 * and not asked in the weeks before. Treated: a check-in planned within `graceDays` of that
 * day. Comparison: none within `graceDays` (capacity was full, the plan staggered them later).
 * Only students still studying when the grace period ends count, and the outcome — a negative
 * exit — is counted from then for `windowDays`, so exits during the wait cannot favour either
 * group. Risk is adjusted as in the report's impact analysis (report/impact.ts): strata of
 * bottleneck × education type × risk-score quintile, effect on the treated, bootstrap CI.
 */
export interface CheckinEffectOptions {
  asOf: string;
  /** Episodes starting on or after this date. */
  from: string;
  graceDays: number;
  windowDays: number;
  bootstrap: number;
  seed: number;
}

export interface CheckinEffect extends ImpactEstimate {
  grace_days: number;
  window_days: number;
  by_bottleneck: { bottleneck: string; treated: number; comparison: number; treated_exits: number; comparison_exits: number }[];
}

export async function checkinEpisodes(db: Warehouse, o: CheckinEffectOptions): Promise<(Episode & { bottleneck: string })[]> {
  const rows = await db.all(
    `WITH cand AS (
       SELECT student_id, bottleneck, as_of, status,
         lag(as_of) OVER (PARTITION BY student_id, bottleneck ORDER BY as_of) AS previous
       FROM checkin_candidates
     ),
     onset AS (
       SELECT student_id, bottleneck, as_of AS entry, status FROM cand
       WHERE (previous IS NULL OR as_of - previous > 60) AND as_of >= $from::DATE AND as_of <= $as_of::DATE - $grace::INTEGER - $window::INTEGER
     ),
     first AS (
       SELECT student_id, arg_min(bottleneck, entry) AS bottleneck, min(entry) AS entry, arg_min(status, entry) AS status
       FROM onset GROUP BY student_id
     ),
     eligible AS (
       SELECT f.* FROM first f
       WHERE f.status IN ('planned', 'over_capacity')
         AND NOT EXISTS (SELECT 1 FROM checkin_plans p WHERE p.student_id = f.student_id AND p.as_of < f.entry AND p.as_of >= f.entry - 28)
     ),
     asked AS (
       SELECT e.student_id, min(p.as_of) AS asked_on
       FROM eligible e JOIN checkin_plans p ON p.student_id = e.student_id AND p.as_of BETWEEN e.entry AND e.entry + $grace::INTEGER - 1
       GROUP BY e.student_id
     ),
     ended AS (SELECT student_id, min(date) AS end_date FROM study_right_events WHERE event IN (${sqlList(exitEvents)}) GROUP BY student_id),
     neg AS (SELECT student_id, min(date) AS exit_date FROM study_right_events WHERE event IN (${sqlList(negativeExits)}) GROUP BY student_id),
     score AS (
       SELECT e.student_id, arg_max(r.probability, r.as_of) AS probability
       FROM eligible e JOIN current_risk_scores r ON r.student_id = e.student_id AND r.as_of <= e.entry AND r.as_of > e.entry - 14
       GROUP BY e.student_id
     )
     SELECT e.student_id, e.bottleneck, strftime(e.entry, '%Y-%m-%d') AS entry, s.education_type, sc.probability,
       a.asked_on IS NOT NULL AS treated,
       coalesce(n.exit_date > e.entry + $grace::INTEGER AND n.exit_date <= e.entry + $grace::INTEGER + $window::INTEGER, false) AS exited
     FROM eligible e JOIN students s USING (student_id)
     LEFT JOIN asked a USING (student_id) LEFT JOIN ended x USING (student_id) LEFT JOIN neg n USING (student_id) LEFT JOIN score sc USING (student_id)
     WHERE x.end_date IS NULL OR x.end_date > e.entry + $grace::INTEGER
     ORDER BY e.student_id`,
    { as_of: o.asOf, from: o.from, grace: o.graceDays, window: o.windowDays },
  );
  const quintile = riskQuintiles(rows.map((r) => r['probability']));
  return rows.map((r) => ({
    trigger_id: `${String(r['student_id'])}@${String(r['entry'])}`,
    student_id: String(r['student_id']),
    opened_on: String(r['entry']),
    bottleneck: String(r['bottleneck']),
    treated: Boolean(r['treated']),
    exited: Boolean(r['exited']),
    stratum: `${String(r['bottleneck'])}|${String(r['education_type'])}|${quintile(r['probability'])}`,
  }));
}

export async function estimateCheckinEffect(db: Warehouse, o: CheckinEffectOptions): Promise<CheckinEffect> {
  const episodes = await checkinEpisodes(db, o);
  const estimate = estimateImpact(episodes, o);
  const groups = new Map<string, CheckinEffect['by_bottleneck'][number]>();
  for (const e of episodes) {
    const g = groups.get(e.bottleneck) ?? { bottleneck: e.bottleneck, treated: 0, comparison: 0, treated_exits: 0, comparison_exits: 0 };
    if (e.treated) (g.treated++, (g.treated_exits += e.exited ? 1 : 0));
    else (g.comparison++, (g.comparison_exits += e.exited ? 1 : 0));
    groups.set(e.bottleneck, g);
  }
  return { ...estimate, grace_days: o.graceDays, window_days: o.windowDays, by_bottleneck: [...groups.values()].sort((a, b) => a.bottleneck.localeCompare(b.bottleneck)) };
}
