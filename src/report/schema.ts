import type { Migration } from '../db/migrate.js';

/** Migrations owned by the report stage: the key figures of each report, for "what changed since the last one". */
export const reportMigrations: readonly Migration[] = [
  {
    version: 13,
    description: 'key figures of each leadership report',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS report_key_figures (
        as_of DATE NOT NULL,
        scope VARCHAR NOT NULL, -- '' for the whole provider, else the unit
        metric VARCHAR NOT NULL,
        education_type VARCHAR NOT NULL,
        academic_year VARCHAR NOT NULL,
        value DOUBLE -- NULL: too few to estimate
      )`,
    ],
  },
];
