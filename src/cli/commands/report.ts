import path from 'node:path';
import { withWarehouse } from '../../app/index.js';
import { buildReport, reportOptions, writeReport } from '../../report/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { asOfOrLatest, parseOptions, writeSession } from '../options.js';

/** `kiinni report build --out DIR [--as-of DATE] [--unit U] [--lang fi|sv|en]`. */
export async function runReportBuild(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.reportBuild), raw);
  const t0 = Date.now();
  // A writer: the report's key figures are kept for the next report's "what changed".
  const { report, files } = await withWarehouse(writeSession(ctx, 'report build'), async ({ db }) => {
    const asOf = await asOfOrLatest(db, ctx, opts.asOf);
    const report = await buildReport(db, reportOptions(ctx.config, { asOf, unit: opts.unit, lang: opts.lang, bootstrap: opts.bootstrap }), { logger: ctx.logger, progress: ctx.progress });
    return { report, files: await writeReport(db, report, path.resolve(opts.out), opts.lang) };
  });
  const summary = { as_of: report.as_of, unit: report.unit, min_cell: report.min_cell, tables: report.tables.map((t) => ({ name: t.name, rows: t.rows.length })), impact: report.impact, files, ms: Date.now() - t0 };
  ctx.print(summary, () =>
    [
      `Report as of ${report.as_of}${report.unit ? ` for ${report.unit}` : ''}: ${report.tables.length} tables (cells about fewer than ${report.min_cell} students suppressed).`,
      `Open ${path.join(path.resolve(opts.out), 'report.html')} in a browser; every table is also a .csv and a .parquet file beside it.`,
    ].join('\n'),
  );
  return 0;
}
