import type { Migration } from '../db/migrate.js';

/** How long a stored score stands for a student's current risk: the latest in this many days up to a date. */
export const riskValidDays = 14;

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
  {
    version: 11,
    description: "a student's current risk, owned by the model stage: the current model's scores, and the latest of them in the 14 days up to a date",
    statements: () => [
      // Every reader of a stored risk asks these two instead of re-deriving "current model, latest score".
      `CREATE OR REPLACE VIEW current_risk_scores AS
        SELECT r.* FROM risk_scores r JOIN model_versions v ON v.version = r.model_version AND v.status = 'current'`,
      `CREATE OR REPLACE MACRO current_risk(on_date) AS TABLE
        SELECT student_id, arg_max(band, as_of) AS band, arg_max(probability, as_of) AS probability, arg_max(reasons, as_of) AS reasons, max(as_of) AS scored_on
        FROM current_risk_scores WHERE as_of <= on_date AND as_of > on_date - ${riskValidDays} GROUP BY student_id`,
    ],
  },
];
