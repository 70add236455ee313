import { riskQuintiles, type Episode } from '../core/effect-estimate.js';
import type { Warehouse } from '../db/warehouse.js';
import { negativeExits, sqlList } from '../core/vocabulary.js';

/**
 * Impact analytics (vaikuttavuus): did timely contact after a trigger change what followed?
 * Each student's first trigger in the window is one episode. Treated: support recorded within
 * `contactDays` of the trigger opening. Comparison: no support recorded within the outcome
 * window. Outcome: a negative exit within `windowDays`. Risk is adjusted by subclassification:
 * strata of trigger family × education type × quintile of the latest risk score before the
 * trigger (unscored episodes form their own stratum); the estimate is the effect on the treated
 * (ATT), weighting strata by their treated episodes, over strata that hold both groups.
 * Confidence intervals: percentile bootstrap over episodes.
 */
export interface ImpactOptions {
  asOf: string;
  contactDays: number;
  windowDays: number;
  /** Episodes opened on or after this date. */
  from: string;
  bootstrap: number;
  seed: number;
}

/** The episodes of the analysis, one per student: their first trigger in the window. */
export async function contactEpisodes(db: Warehouse, o: ImpactOptions): Promise<Episode[]> {
  const rows = await db.all(
    `WITH first AS (
       SELECT student_id, arg_min(trigger_id, opened_on) AS trigger_id, min(opened_on) AS opened_on, arg_min(family, opened_on) AS family
       FROM triggers WHERE opened_on >= $from::DATE AND opened_on <= $as_of::DATE - $window::INTEGER GROUP BY student_id
     ),
     support AS (
       SELECT f.trigger_id, min(i.date) AS first_contact
       FROM first f JOIN interventions i ON i.student_id = f.student_id AND i.date >= f.opened_on AND i.date <= f.opened_on + $window::INTEGER
       GROUP BY f.trigger_id
     ),
     neg AS (SELECT student_id, min(date) AS exit_date FROM study_right_events WHERE event IN (${sqlList(negativeExits)}) GROUP BY student_id),
     score AS (
       SELECT f.trigger_id, arg_max(r.probability, r.as_of) AS probability
       FROM first f JOIN current_risk_scores r ON r.student_id = f.student_id AND r.as_of <= f.opened_on AND r.as_of > f.opened_on - 14
       GROUP BY f.trigger_id
     )
     SELECT f.trigger_id, f.student_id, strftime(f.opened_on, '%Y-%m-%d') AS opened_on, f.family, s.education_type, sc.probability,
       sp.first_contact IS NOT NULL AND sp.first_contact <= f.opened_on + $contact::INTEGER AS treated,
       sp.first_contact IS NULL AS never,
       coalesce(n.exit_date > f.opened_on AND n.exit_date <= f.opened_on + $window::INTEGER, false) AS exited
     FROM first f JOIN students s USING (student_id) LEFT JOIN support sp USING (trigger_id) LEFT JOIN neg n USING (student_id)
     LEFT JOIN score sc USING (trigger_id)
     ORDER BY f.trigger_id`,
    { as_of: o.asOf, from: o.from, window: o.windowDays, contact: o.contactDays },
  );
  const kept = rows.filter((r) => r['treated'] || r['never']);
  const quintile = riskQuintiles(kept.map((r) => r['probability']));
  return kept.map((r) => ({
    trigger_id: String(r['trigger_id']),
    student_id: String(r['student_id']),
    opened_on: String(r['opened_on']),
    treated: Boolean(r['treated']),
    exited: Boolean(r['exited']),
    stratum: `${String(r['family'])}|${String(r['education_type'])}|${quintile(r['probability'])}`,
  }));
}

export { estimateImpact, riskQuintiles, type Episode, type ImpactEstimate } from '../core/effect-estimate.js';
