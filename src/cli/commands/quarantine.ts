import path from 'node:path';
import { exportQuarantine, isContractKind, contractFor, listQuarantine } from '../../ingest/index.js';
import { withWarehouse } from '../../app/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { table } from '../format.js';
import { parseOptions } from '../options.js';

function parseFilter(raw: Record<string, unknown>, options: typeof commandOptions.quarantineList | typeof commandOptions.quarantineExport) {
  const f: { kind?: string | undefined; file?: string | undefined; limit?: number; out?: string } = parseOptions(schemaOf(options), raw);
  if (f.kind && !isContractKind(f.kind)) contractFor(f.kind);
  return f;
}

/** `kiinni quarantine list`. */
export async function runQuarantineList(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const f = parseFilter(raw, commandOptions.quarantineList);
  const records = await withWarehouse(
    { dataDir: ctx.dataDir, config: ctx.config, logger: ctx.logger, clock: ctx.clock, write: false, command: 'quarantine list' },
    async ({ db }) => listQuarantine(db, f),
  );
  ctx.print({ records }, () =>
    records.length
      ? table(['kind', 'file', 'line', 'column', 'reason', 'value'], records.map((r) => [r.kind, r.file, r.line, r.column, r.reason, r.value]))
      : 'No quarantined rows.',
  );
  return 0;
}

/** `kiinni quarantine export --out FILE`. */
export async function runQuarantineExport(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const f = parseFilter(raw, commandOptions.quarantineExport);
  const out = path.resolve(f.out!);
  const rows = await withWarehouse(
    { dataDir: ctx.dataDir, config: ctx.config, logger: ctx.logger, clock: ctx.clock, write: false, command: 'quarantine export' },
    async ({ db }) => exportQuarantine(db, out, f),
  );
  ctx.print({ out, rows }, () => `Wrote ${rows} quarantined row(s) to ${out}.`);
  return 0;
}
