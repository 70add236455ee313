// The front door: what the CLI and the server share below them — opening the warehouse with its
// lock and every stage's migrations, and the default effects — so neither reaches into a stage.
export { withWarehouse, type Session, type SessionOptions } from './session.js';
export { allMigrations, latestSchemaVersion } from './schema.js';
