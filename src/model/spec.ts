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
});

/** The model spec (models/model-spec.yaml): horizon, split, forest, calibration, bands, promotion. */
export type ModelSpec = z.infer<typeof specSchema>;

export function loadModelSpec(file = path.join(packageRoot(), 'models', 'model-spec.yaml')): ModelSpec {
  const result = specSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!result.success) {
    const i = result.error.issues[0]!;
    throw new KiinniError(ErrorCode.ConfigInvalid, `${file}: ${i.path.join('.')}: ${i.message}.`);
  }
  return result.data;
}
