import type { Migration } from '../db/migrate.js';

/** Migrations owned by the staff workspace: sign-in links, sessions and the audit log. */
export const webMigrations: readonly Migration[] = [
  {
    version: 8,
    description: 'workspace sign-in links, sessions and the audit log',
    statements: () => [
      // Only hashes of link tokens and session ids are stored: a copy of the warehouse signs nobody in.
      `CREATE TABLE IF NOT EXISTS web_links (
        token_hash VARCHAR PRIMARY KEY,
        staff_id VARCHAR NOT NULL,
        purpose VARCHAR NOT NULL, -- sign_in_page | digest
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL,
        used_at TIMESTAMP
      )`,
      `CREATE TABLE IF NOT EXISTS web_sessions (
        session_hash VARCHAR PRIMARY KEY,
        staff_id VARCHAR NOT NULL,
        method VARCHAR NOT NULL, -- magic_link or oidc
        created_at TIMESTAMP NOT NULL,
        last_seen_at TIMESTAMP NOT NULL,
        ended_at TIMESTAMP
      )`,
      `CREATE TABLE IF NOT EXISTS audit_log (
        logged_at TIMESTAMP NOT NULL,
        staff_id VARCHAR, -- NULL: not signed in (e.g. a sign-in link asked for an unknown address)
        action VARCHAR NOT NULL,
        student_id VARCHAR,
        object_id VARCHAR,
        client VARCHAR, -- IP address the request came from
        detail VARCHAR
      )`,
    ],
  },
  {
    version: 9,
    description: "indexes for the workspace's lookups of one student or one staff member",
    // Columns that are never updated in place (an UPDATE of an indexed column is a delete and an
    // insert in DuckDB): ids only. A lookup by student drops from a scan (~5 ms at 330 000
    // students) to ~1 ms.
    statements: () => [
      `CREATE INDEX IF NOT EXISTS students_by_id ON students (student_id)`,
      `CREATE INDEX IF NOT EXISTS triggers_by_student ON triggers (student_id)`,
      `CREATE INDEX IF NOT EXISTS risk_scores_by_student ON risk_scores (student_id)`,
      `CREATE INDEX IF NOT EXISTS interventions_by_student ON interventions (student_id)`,
      `CREATE INDEX IF NOT EXISTS assignments_by_staff ON assignments (staff_id)`,
    ],
  },
];
