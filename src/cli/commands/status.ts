import { warehouseStatus } from '../../ingest/index.js';
import { withWarehouse } from '../../app/index.js';
import type { CliContext } from '../context.js';
import { count, table } from '../format.js';

/** `kiinni status`. */
export async function runStatus(ctx: CliContext): Promise<number> {
  const status = await withWarehouse(
    { dataDir: ctx.dataDir, config: ctx.config, logger: ctx.logger, clock: ctx.clock, write: false, command: 'status' },
    async ({ db }) => warehouseStatus(db),
  );
  ctx.print(status, () =>
    [
      `Warehouse ${status.warehouse} (schema version ${status.schema_version})`,
      '',
      table(['table', 'rows'], Object.entries(status.tables).map(([k, v]) => [k, v.rows])),
      '',
      `Quarantined rows: ${count(status.quarantine.rows)}${status.quarantine.rows ? " (see 'kiinni quarantine list')" : ''}`,
      '',
      'Recent ingests:',
      status.recent_ingests.length
        ? table(
            ['started', 'kind', 'file', 'status', 'loaded', 'quarantined', 'ms', 'sha256'],
            status.recent_ingests.map((r) => [r.started_at, r.kind, r.file, r.status, r.rows_loaded, r.rows_quarantined, r.duration_ms, (r.sha256 ?? '').slice(0, 12)]),
          )
        : '(none yet)',
    ].join('\n'),
  );
  return 0;
}
