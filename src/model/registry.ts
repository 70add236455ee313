import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Warehouse } from '../db/warehouse.js';
import type { FeatureSpec } from '../features/index.js';
import type { Calibration } from './calibration.js';
import type { Evaluation } from './evaluate.js';
import { deserializeLearner, learnerFile, learnerKind, serializeLearner, type Learner, type LearnerKind } from './forest/learner.js';
import type { ModelSpec } from './spec.js';

/** Everything a model version needs to score and explain, stored in its own directory. */
export interface ModelArtifact {
  version: string;
  created_at: string;
  data_as_of: string;
  horizon_days: number;
  attendance_lag_days: number;
  spec: ModelSpec;
  /** The features exactly as trained (with their SQL), so a version scores the same forever. */
  features: FeatureSpec[];
  calibration: Calibration;
  split: { train: string[]; validation: string[]; test: string[]; train_rows: number; train_exits: number; validation_rows: number; validation_exits: number };
  training_seconds: number;
  validation: { roc_auc: number; ece: number };
  /** Features with missing values in the training rows (unknown background, no data yet): rows and students. Absent in older cards. */
  missing?: { feature: string; rows: number; students: number }[];
  /** The kind of model kept (absent in versions from before boosting: a forest). */
  learner?: LearnerKind;
  /** Every candidate fitted, best first: validation log-loss after cross-fitted calibration, ROC AUC, training time. */
  candidates?: { name: string; validation_log_loss: number; validation_roc_auc: number; train_seconds: number }[];
  evaluation: Evaluation;
}

export interface ModelVersionRow {
  version: string;
  created_at: string;
  data_as_of: string;
  horizon_days: number;
  status: 'candidate' | 'current' | 'retired';
  roc_auc: number | null;
  pr_auc: number | null;
  brier: number | null;
  ece: number | null;
  directory: string;
  promoted_at: string | null;
  note: string | null;
}

/** Writes a version's files: forest.json or boosting.json, model.json, card.json and card.md. */
export function saveArtifact(modelsDir: string, artifact: ModelArtifact, learner: Learner, cardMarkdown: string): string {
  const dir = path.join(modelsDir, artifact.version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, learnerFile(learnerKind(learner))), serializeLearner(learner));
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(artifact, null, 2));
  const { features, ...card } = artifact;
  writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ ...card, features: features.map(({ name, family, sensitivity }) => ({ name, family, sensitivity })) }, null, 2));
  writeFileSync(path.join(dir, 'card.md'), cardMarkdown);
  return dir;
}

/** A version's artifact and its learner (a forest or a booster, as model.json says). */
export function loadArtifact(directory: string): { artifact: ModelArtifact; learner: Learner } {
  const artifact = JSON.parse(readFileSync(path.join(directory, 'model.json'), 'utf8')) as ModelArtifact;
  const kind = artifact.learner ?? 'forest';
  return { artifact, learner: deserializeLearner(kind, readFileSync(path.join(directory, learnerFile(kind)), 'utf8')) };
}

const versionColumns = `version, strftime(created_at, '%Y-%m-%dT%H:%M:%S') AS created_at, strftime(data_as_of, '%Y-%m-%d') AS data_as_of,
  horizon_days, status, roc_auc, pr_auc, brier, ece, directory, strftime(promoted_at, '%Y-%m-%dT%H:%M:%S') AS promoted_at, note`;

export async function listVersions(db: Warehouse): Promise<ModelVersionRow[]> {
  return (await db.all(`SELECT ${versionColumns} FROM model_versions ORDER BY created_at DESC, version DESC`)) as unknown as ModelVersionRow[];
}

/** True when a model version is current (scoring can run). */
export async function hasCurrentModel(db: Warehouse): Promise<boolean> {
  return Boolean(await db.one(`SELECT 1 AS x FROM model_versions WHERE status = 'current'`));
}

export async function findVersion(db: Warehouse, version?: string): Promise<ModelVersionRow> {
  const row = version
    ? await db.one(`SELECT ${versionColumns} FROM model_versions WHERE version = $v`, { v: version })
    : await db.one(`SELECT ${versionColumns} FROM model_versions WHERE status = 'current'`);
  if (!row) {
    throw version
      ? new KiinniError(ErrorCode.NotFound, `No model version ${version}.`, "Run 'kiinni model list' to see the versions.")
      : new KiinniError(ErrorCode.NotFound, 'No current model yet.', "Train one with 'kiinni model train'.");
  }
  return row as unknown as ModelVersionRow;
}

export async function registerVersion(db: Warehouse, a: ModelArtifact, directory: string): Promise<void> {
  await db.run(
    `INSERT INTO model_versions VALUES ($v, $created::TIMESTAMP, $as_of::DATE, $h, 'candidate', $auc, $pr, $brier, $ece, $dir, NULL, NULL)`,
    { v: a.version, created: a.created_at, as_of: a.data_as_of, h: a.horizon_days, auc: a.evaluation.roc_auc, pr: a.evaluation.pr_auc, brier: a.evaluation.brier, ece: a.evaluation.ece, dir: directory },
  );
}

/** Makes `version` the current model (the previous one is retired), with a note saying why. */
export async function promoteVersion(db: Warehouse, version: string, note: string, now: Date): Promise<void> {
  await db.transaction(async () => {
    await db.run(`UPDATE model_versions SET status = 'retired' WHERE status = 'current'`);
    await db.run(`UPDATE model_versions SET status = 'current', promoted_at = $at::TIMESTAMP, note = $note WHERE version = $v`, { v: version, at: now.toISOString(), note });
  });
}
