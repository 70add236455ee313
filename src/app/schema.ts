import type { Migration } from '../db/migrate.js';
import { checkinMigrations } from '../checkins/index.js';
import { digestMigrations } from '../digest/index.js';
import { ingestMigrations } from '../ingest/index.js';
import { modelMigrations } from '../model/index.js';
import { triggerMigrations } from '../triggers/index.js';
import { pipelineMigrations } from '../pipeline/index.js';
import { webMigrations } from '../web/index.js';

/** Every stage's migrations: one version sequence for the whole warehouse. */
export const allMigrations: readonly Migration[] = [...ingestMigrations, ...modelMigrations, ...triggerMigrations, ...digestMigrations, ...pipelineMigrations, ...checkinMigrations, ...webMigrations];

/** The schema version this kiinni expects. */
export const latestSchemaVersion = Math.max(...allMigrations.map((m) => m.version));
