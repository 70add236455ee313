import { boosterContributions, boosterProba, deserializeBooster, serializeBooster, type Booster } from './boost.js';
import { contributions, deserializeForest, predictProba, serializeForest, type Columns, type Forest } from './forest.js';

/** A trained risk model of either kind kiinni fits: a random forest or gradient-boosted trees. */
export type Learner = Forest | Booster;
export type LearnerKind = 'forest' | 'boosting';

export function learnerKind(m: Learner): LearnerKind {
  return 'kind' in m && m.kind === 'boosting' ? 'boosting' : 'forest';
}

/** Probability of class 1 for every row (before calibration). */
export function learnerProba(m: Learner, columns: Columns): Float64Array {
  return learnerKind(m) === 'boosting' ? boosterProba(m as Booster, columns) : predictProba(m as Forest, columns);
}

/**
 * Per-feature path contributions for one row: shares of probability for a forest, log-odds for
 * boosting. Reasons use their order and sign, which mean the same in both.
 */
export function learnerContributions(m: Learner, row: readonly number[]): { bias: number; contributions: Float64Array } {
  return learnerKind(m) === 'boosting' ? boosterContributions(m as Booster, row) : contributions(m as Forest, row);
}

/** The file a version keeps its model in, by kind. */
export function learnerFile(kind: LearnerKind): string {
  return kind === 'boosting' ? 'boosting.json' : 'forest.json';
}

export function serializeLearner(m: Learner): string {
  return learnerKind(m) === 'boosting' ? serializeBooster(m as Booster) : serializeForest(m as Forest);
}

export function deserializeLearner(kind: LearnerKind, text: string): Learner {
  return kind === 'boosting' ? deserializeBooster(text) : deserializeForest(text);
}
