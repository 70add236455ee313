import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';

const specSchema = z.strictObject({
  horizon_days: z.number().int().min(7).max(730),
  split: z.strictObject({ test_snapshots: z.number().int().min(1), validation_snapshots: z.number().int().min(1) }),
  forest: z.strictObject({
    trees: z.number().int().min(1).max(5000),
    max_features: z.union([z.enum(['sqrt', 'log2']), z.number().positive()]),
    max_depth: z.number().int().min(1).max(64),
    min_samples_leaf: z.number().int().min(1),
    class_weight: z.enum(['balanced', 'none']),
    max_samples_per_tree: z.number().int().min(1000),
    seed: z.number().int().min(0),
  }),
  /** The kinds of model fitted; the one with the lowest validation log-loss (after calibration) is kept. */
  candidates: z.array(z.enum(['forest', 'boosting'])).min(1).default(['forest']),
  /** Gradient-boosted trees; a list of values is a grid (every combination is a candidate). */
  boosting: z
    .strictObject({
      max_iter: z.number().int().min(1).max(5000),
      learning_rate: z.union([z.number().positive().max(1), z.array(z.number().positive().max(1)).min(1)]),
      max_leaf_nodes: z.union([z.number().int().min(2).max(255), z.array(z.number().int().min(2).max(255)).min(1)]),
      min_samples_leaf: z.union([z.number().int().min(1), z.array(z.number().int().min(1)).min(1)]),
      l2: z.number().min(0),
      colsample: z.number().positive().max(1),
      /** Rows drawn for each tree at most (stochastic boosting keeps a national panel fast). */
      max_samples_per_tree: z.number().int().min(1000),
      /** Rounds without a better early-stopping loss before stopping. */
      patience: z.number().int().min(1),
      seed: z.number().int().min(0),
    })
    .optional(),
  calibration: z.enum(['platt', 'isotonic', 'auto']),
  bands: z.strictObject({
    mode: z.enum(['probability', 'capacity']),
    raised: z.number().min(0).max(1),
    high: z.number().min(0).max(1),
    raised_share: z.number().min(0).max(1),
    high_share: z.number().min(0).max(1),
  }),
  promotion: z.strictObject({ max_auc_drop: z.number().min(0), max_ece_rise: z.number().min(0) }),
  reasons: z.strictObject({ top: z.number().int().min(1).max(10) }),
}).refine((s) => !s.candidates.includes('boosting') || s.boosting !== undefined, { message: 'candidates names boosting but the spec has no boosting: section', path: ['boosting'] });

/** The model spec (models/model-spec.yaml): horizon, split, candidates (forest, boosting), calibration, bands, promotion. */
export type ModelSpec = z.infer<typeof specSchema>;

/** One boosting candidate of the spec's grid. */
export interface BoostingCandidate {
  learning_rate: number;
  max_leaf_nodes: number;
  min_samples_leaf: number;
}

/** Every combination of the boosting grid's values. */
export function boostingGrid(spec: ModelSpec): BoostingCandidate[] {
  const b = spec.boosting;
  if (!b) return [];
  const list = (v: number | number[]) => (Array.isArray(v) ? v : [v]);
  return list(b.learning_rate).flatMap((learning_rate) =>
    list(b.max_leaf_nodes).flatMap((max_leaf_nodes) => list(b.min_samples_leaf).map((min_samples_leaf) => ({ learning_rate, max_leaf_nodes, min_samples_leaf }))),
  );
}

export function loadModelSpec(file = path.join(packageRoot(), 'models', 'model-spec.yaml')): ModelSpec {
  const result = specSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!result.success) {
    const i = result.error.issues[0]!;
    throw new KiinniError(ErrorCode.ConfigInvalid, `${file}: ${i.path.join('.')}: ${i.message}.`);
  }
  return result.data;
}
