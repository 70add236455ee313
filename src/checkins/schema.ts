import type { Migration } from '../db/migrate.js';

/** Migrations owned by the check-in stage: the daily plans and opt-outs. */
export const checkinMigrations: readonly Migration[] = [
  {
    version: 6,
    description: 'check-in plans and opt-outs',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS checkin_plans (
        as_of DATE NOT NULL,
        student_id VARCHAR NOT NULL,
        bottleneck VARCHAR NOT NULL,
        question_set VARCHAR NOT NULL,
        unit VARCHAR NOT NULL,
        planned_at TIMESTAMP NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS checkin_optouts (
        student_id VARCHAR PRIMARY KEY,
        since DATE NOT NULL
      )`,
    ],
  },
  {
    version: 7,
    description: 'check-in candidates: every student at a bottleneck each day and what the plan did with them',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS checkin_candidates (
        as_of DATE NOT NULL,
        student_id VARCHAR NOT NULL,
        bottleneck VARCHAR NOT NULL,
        status VARCHAR NOT NULL -- planned | opted_out | asked_recently | over_capacity
      )`,
    ],
  },
];
