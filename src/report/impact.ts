import { Random } from '../core/random.js';
import type { Warehouse } from '../db/warehouse.js';

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

export interface Episode {
  trigger_id: string;
  student_id: string;
  opened_on: string;
  treated: boolean;
  exited: boolean;
  stratum: string;
}

export interface ImpactEstimate {
  episodes: number;
  treated: number;
  comparison: number;
  treated_exits: number;
  comparison_exits: number;
  /** Share of treated episodes in strata that also hold comparison episodes. */
  common_support: number;
  crude_risk_ratio: number | null;
  risk_ratio: number | null;
  risk_ratio_ci: [number, number] | null;
  risk_difference: number | null;
  risk_difference_ci: [number, number] | null;
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
     neg AS (SELECT student_id, min(date) AS exit_date FROM study_right_events WHERE event IN ('resigned', 'deemed_resigned') GROUP BY student_id),
     score AS (
       SELECT f.trigger_id, arg_max(r.probability, r.as_of) AS probability
       FROM first f JOIN risk_scores r ON r.student_id = f.student_id AND r.as_of <= f.opened_on AND r.as_of > f.opened_on - 14
       JOIN model_versions v ON v.version = r.model_version AND v.status = 'current'
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

/** Labels a risk score by its quintile among `scores` (q1…q5), or 'unscored' without one. */
export function riskQuintiles(scores: readonly unknown[]): (p: unknown) => string {
  const scored = scores.filter((p): p is number => typeof p === 'number').sort((a, b) => a - b);
  const cut = [0.2, 0.4, 0.6, 0.8].map((q) => scored[Math.floor(q * (scored.length - 1))] ?? 0);
  return (p) => (typeof p !== 'number' ? 'unscored' : `q${cut.filter((c) => p > c).length + 1}`);
}

interface Point {
  rr: number | null;
  rd: number | null;
  support: number;
}

/** ATT risk ratio and difference over strata holding both groups. */
function attEstimate(episodes: readonly Episode[]): Point {
  const strata = new Map<string, { t: number; te: number; c: number; ce: number }>();
  for (const e of episodes) {
    const s = strata.get(e.stratum) ?? { t: 0, te: 0, c: 0, ce: 0 };
    if (e.treated) (s.t++, (s.te += e.exited ? 1 : 0));
    else (s.c++, (s.ce += e.exited ? 1 : 0));
    strata.set(e.stratum, s);
  }
  let weight = 0;
  let treatedRisk = 0;
  let counterfactualRisk = 0;
  let allTreated = 0;
  for (const s of strata.values()) {
    allTreated += s.t;
    if (!s.t || !s.c) continue;
    weight += s.t;
    treatedRisk += s.te;
    counterfactualRisk += s.t * (s.ce / s.c);
  }
  if (!weight) return { rr: null, rd: null, support: 0 };
  return { rr: counterfactualRisk > 0 ? treatedRisk / counterfactualRisk : null, rd: (treatedRisk - counterfactualRisk) / weight, support: weight / allTreated };
}

const percentile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
};

/** Estimates the effect of timely contact, with bootstrap confidence intervals. */
export function estimateImpact(episodes: readonly Episode[], o: Pick<ImpactOptions, 'bootstrap' | 'seed'>): ImpactEstimate {
  const treated = episodes.filter((e) => e.treated);
  const comparison = episodes.filter((e) => !e.treated);
  const te = treated.filter((e) => e.exited).length;
  const ce = comparison.filter((e) => e.exited).length;
  const point = attEstimate(episodes);
  const rng = new Random(o.seed, 0x1a9c7);
  const rrs: number[] = [];
  const rds: number[] = [];
  for (let b = 0; b < o.bootstrap; b++) {
    const sample = Array.from({ length: episodes.length }, () => episodes[Math.floor(rng.next() * episodes.length)]!);
    const est = attEstimate(sample);
    if (est.rr !== null) rrs.push(est.rr);
    if (est.rd !== null) rds.push(est.rd);
  }
  return {
    episodes: episodes.length,
    treated: treated.length,
    comparison: comparison.length,
    treated_exits: te,
    comparison_exits: ce,
    common_support: point.support,
    crude_risk_ratio: treated.length && comparison.length && ce ? te / treated.length / (ce / comparison.length) : null,
    risk_ratio: point.rr,
    risk_ratio_ci: rrs.length >= 20 ? [percentile(rrs, 0.025), percentile(rrs, 0.975)] : null,
    risk_difference: point.rd,
    risk_difference_ci: rds.length >= 20 ? [percentile(rds, 0.025), percentile(rds, 0.975)] : null,
  };
}
