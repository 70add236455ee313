import type { Migration } from '../db/migrate.js';

/** Migrations owned by the digest stage: the delivery log. */
export const digestMigrations: readonly Migration[] = [
  {
    version: 4,
    description: 'digest delivery log',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS digest_deliveries (
        as_of DATE NOT NULL,
        staff_id VARCHAR NOT NULL,
        status VARCHAR NOT NULL,         -- sent | failed
        attempts INTEGER NOT NULL,
        message_id VARCHAR NOT NULL,     -- stable per staff member and day
        students INTEGER NOT NULL,
        triggers INTEGER NOT NULL,
        transport VARCHAR NOT NULL,      -- outbox | smtp
        error VARCHAR,                   -- SMTP code and reply of the last failure
        recorded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (as_of, staff_id)
      )`,
    ],
  },
];
