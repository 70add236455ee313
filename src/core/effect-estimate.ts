import { quantile, quantileSorted } from 'simple-statistics';
import { Random } from './random.js';

/**
 * The effect-on-the-treated estimator both impact analyses use (report: timely contact after a
 * trigger; check-ins: asked at a bottleneck vs not yet asked). Episodes carry a stratum; the
 * estimate weights strata by their treated episodes over strata that hold both groups, with a
 * percentile bootstrap over episodes for the confidence intervals. Pure: no warehouse here.
 */
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

/** Labels a risk score by its quintile among `scores` (q1…q5), or 'unscored' without one. */
export function riskQuintiles(scores: readonly unknown[]): (p: unknown) => string {
  const scored = scores.filter((p): p is number => typeof p === 'number').sort((a, b) => a - b);
  const cut = scored.length ? [0.2, 0.4, 0.6, 0.8].map((q) => quantileSorted(scored, q)) : [0, 0, 0, 0];
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

/** A percentile of bootstrap replicates (simple-statistics' quantile). */
const percentile = (xs: number[], q: number) => quantile(xs, q);

/** Estimates the effect of timely contact, with bootstrap confidence intervals. */
export function estimateImpact(episodes: readonly Episode[], o: { bootstrap: number; seed: number }): ImpactEstimate {
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
