import { withWarehouse } from '../../app/index.js';
import type { CliContext } from '../context.js';
import { schemaVersion } from '../../db/migrate.js';

/** `kiinni init`: creates or upgrades the warehouse. */
export async function runInit(ctx: CliContext): Promise<number> {
  const result = await withWarehouse(
    { dataDir: ctx.dataDir, config: ctx.config, logger: ctx.logger, clock: ctx.clock, write: true, command: 'init', create: true },
    async ({ db, dir, migrated }) => ({ data_dir: dir.root, warehouse: dir.warehouse, schema_version: await schemaVersion(db), migrations_applied: migrated }),
  );
  ctx.print(result, () =>
    result.migrations_applied.length
      ? `Warehouse ready: ${result.warehouse} (schema version ${result.schema_version}, applied ${result.migrations_applied.join(', ')}).`
      : `Warehouse already up to date: ${result.warehouse} (schema version ${result.schema_version}).`,
  );
  return 0;
}
