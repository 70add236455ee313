import type { Migration } from '../db/migrate.js';

/** Migrations owned by the trigger stage: triggers, their event history, and trigger runs. */
export const triggerMigrations: readonly Migration[] = [
  {
    version: 3,
    description: 'triggers (herätteet), trigger events, trigger runs',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS triggers (
        trigger_id VARCHAR PRIMARY KEY,    -- stable: rule, student, role and opening date
        rule_id VARCHAR NOT NULL,
        family VARCHAR NOT NULL,           -- background | performance | wellbeing | model | help_request
        visibility VARCHAR NOT NULL,       -- ordinary | guidance | risk_score | welfare
        severity VARCHAR NOT NULL,
        student_id VARCHAR NOT NULL,
        first_role VARCHAR NOT NULL,       -- the rule's target role
        role VARCHAR NOT NULL,             -- current role (after escalation)
        staff_id VARCHAR,                  -- NULL: a routing gap, nobody to route to
        routed_via VARCHAR NOT NULL,       -- student | group | pool | none
        status VARCHAR NOT NULL,           -- open | acknowledged | resolved | expired
        opened_on DATE NOT NULL,
        last_seen_on DATE NOT NULL,        -- last day the rule's condition held
        evidence VARCHAR NOT NULL,         -- JSON of the rule's evidence facts on last_seen_on
        escalated_on DATE,
        acknowledged_on DATE, acknowledged_by VARCHAR,
        closed_on DATE,                    -- resolved or expired
        closed_by VARCHAR,
        outcome VARCHAR,                   -- resolution outcome, or why it expired
        intervention_id VARCHAR
      )`,
      `CREATE TABLE IF NOT EXISTS trigger_events (
        trigger_id VARCHAR NOT NULL,
        on_date DATE NOT NULL,
        event VARCHAR NOT NULL,            -- opened | updated | rerouted | escalated | acknowledged | resolved | expired
        role VARCHAR,
        staff_id VARCHAR,
        detail VARCHAR,
        recorded_at TIMESTAMP NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS trigger_runs (
        as_of DATE NOT NULL,
        ran_at TIMESTAMP NOT NULL,
        rules INTEGER NOT NULL,
        students INTEGER NOT NULL,
        opened INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        rerouted INTEGER NOT NULL,
        escalated INTEGER NOT NULL,
        resolved INTEGER NOT NULL,
        expired INTEGER NOT NULL,
        routing_gaps INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 12,
    description: 'support notes: a short note on what was done, with the visibility of what it answers',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS support_notes (
        note_id VARCHAR PRIMARY KEY,
        student_id VARCHAR NOT NULL,
        trigger_id VARCHAR,
        intervention_id VARCHAR,
        staff_id VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        visibility VARCHAR NOT NULL,   -- the trigger's class; for support without a trigger, welfare for welfare roles, else ordinary
        written_at TIMESTAMP NOT NULL,
        text VARCHAR NOT NULL          -- at most 500 characters; never in reports, digests or logs
      )`,
      `CREATE INDEX IF NOT EXISTS support_notes_student ON support_notes (student_id)`,
    ],
  },
];
