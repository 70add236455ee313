import type { Migration } from '../db/migrate.js';

/** Migrations owned by the model stage: the model registry and the risk scores. */
export const modelMigrations: readonly Migration[] = [
  {
    version: 2,
    description: 'model registry and risk scores',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS model_versions (
        version VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        data_as_of DATE NOT NULL,
        horizon_days INTEGER NOT NULL,
        status VARCHAR NOT NULL,        -- candidate | current | retired
        roc_auc DOUBLE, pr_auc DOUBLE, brier DOUBLE, ece DOUBLE,
        directory VARCHAR NOT NULL,
        promoted_at TIMESTAMP,
        note VARCHAR
      )`,
      `CREATE TABLE IF NOT EXISTS risk_scores (
        student_id VARCHAR NOT NULL,
        as_of DATE NOT NULL,
        model_version VARCHAR NOT NULL,
        probability DOUBLE NOT NULL,
        band VARCHAR NOT NULL,           -- low | raised | high
        rank INTEGER NOT NULL,           -- 1 = highest risk on that date
        reasons VARCHAR NOT NULL,        -- JSON: [{feature, family, sensitivity, contribution}]
        scored_at TIMESTAMP NOT NULL
      )`,
    ],
  },
];
