import type { Migration } from '../db/migrate.js';
// Each stage's schema.ts is its second public surface (its migrations only), so opening the
// warehouse loads no stage's code: a command starts without the server, the charts or the forest.
import { checkinMigrations } from '../checkins/schema.js';
import { digestMigrations } from '../digest/schema.js';
import { ingestMigrations } from '../ingest/schema.js';
import { modelMigrations } from '../model/schema.js';
import { triggerMigrations } from '../triggers/schema.js';
import { pipelineMigrations } from '../pipeline/schema.js';
import { reportMigrations } from '../report/schema.js';
import { webMigrations } from '../web/schema.js';

/** Every stage's migrations: one version sequence for the whole warehouse. */
export const allMigrations: readonly Migration[] = [...ingestMigrations, ...modelMigrations, ...triggerMigrations, ...digestMigrations, ...pipelineMigrations, ...checkinMigrations, ...webMigrations, ...reportMigrations];

/** The schema version this kiinni expects. */
export const latestSchemaVersion = Math.max(...allMigrations.map((m) => m.version));
