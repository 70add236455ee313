import type { Migration } from '../db/migrate.js';

/** Migrations owned by the pipeline stage: the run log. */
export const pipelineMigrations: readonly Migration[] = [
  {
    version: 5,
    description: 'pipeline runs and steps',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS pipeline_runs (
        run_id VARCHAR PRIMARY KEY,        -- <pipeline>-<period>
        pipeline VARCHAR NOT NULL,
        period VARCHAR NOT NULL,           -- the date, or from..to for a backfill
        status VARCHAR NOT NULL,           -- running | finished | failed
        attempts INTEGER NOT NULL,
        started_at TIMESTAMP NOT NULL,
        ended_at TIMESTAMP,
        error VARCHAR,
        log_file VARCHAR
      )`,
      `CREATE TABLE IF NOT EXISTS pipeline_steps (
        run_id VARCHAR NOT NULL,
        step VARCHAR NOT NULL,             -- e.g. triggers, or 2026-02-10:triggers in a backfill
        status VARCHAR NOT NULL,           -- running | done | failed
        started_at TIMESTAMP NOT NULL,
        ended_at TIMESTAMP,
        ms BIGINT,
        peak_rss_mb INTEGER,
        summary VARCHAR,                   -- JSON: counts the step reported
        error VARCHAR,
        PRIMARY KEY (run_id, step)
      )`,
    ],
  },
];
