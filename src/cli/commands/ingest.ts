import { z } from 'zod';
import { ErrorCode, ExitCode, KiinniError } from '../../core/errors.js';
import { contractFor, findProfile, ingestDirectory, ingestFile, isContractKind, type ContractKind, type ImportProfile, type IngestResult } from '../../ingest/index.js';
import { withWarehouse } from '../../pipeline/session.js';
import type { CliContext } from '../context.js';
import { count, table } from '../format.js';

const optionsSchema = z.object({
  dir: z.string().min(1).optional(),
  profile: z.array(z.string().min(1)).optional(),
  failOnQuarantine: z.boolean().optional(),
});

/** `kiinni ingest --json` document. */
export interface IngestReport {
  files: IngestResult[];
  ignored_files: string[];
  totals: { files: number; loaded: number; unchanged: number; refused: number; rows_loaded: number; rows_quarantined: number };
}

function summarise(results: IngestResult[], ignored: string[]): IngestReport {
  const by = (s: IngestResult['status']) => results.filter((r) => r.status === s).length;
  return {
    files: results,
    ignored_files: ignored,
    totals: {
      files: results.length,
      loaded: by('loaded'),
      unchanged: by('unchanged'),
      refused: by('refused'),
      rows_loaded: results.reduce((a, r) => a + r.rows_loaded, 0),
      rows_quarantined: results.reduce((a, r) => a + r.rows_quarantined, 0),
    },
  };
}

function human(report: IngestReport): string {
  const lines = [
    table(
      ['kind', 'file', 'status', 'loaded', 'quarantined', 'superseded', 'skipped', 'ms'],
      report.files.map((r) => [r.kind, r.file, r.status, r.rows_loaded, r.rows_quarantined, r.rows_superseded, r.rows_skipped, r.duration_ms]),
    ),
  ];
  for (const r of report.files) {
    if (r.status === 'refused') lines.push(`refused: ${r.message}${r.hint ? `\n  ${r.hint}` : ''}`);
    for (const w of r.warnings) lines.push(`warning: ${r.file}: ${w}`);
  }
  if (report.ignored_files.length) lines.push(`not loaded (name is not a data kind): ${report.ignored_files.join(', ')}`);
  const t = report.totals;
  lines.push(`${t.files} file(s): ${t.loaded} loaded, ${t.unchanged} unchanged, ${t.refused} refused; ${count(t.rows_loaded)} rows loaded, ${count(t.rows_quarantined)} quarantined.`);
  if (t.rows_quarantined) lines.push("Run 'kiinni quarantine list' to see the rejected rows and why.");
  return lines.join('\n');
}

/** `kiinni ingest <kind> <file…>` or `kiinni ingest --dir DIR`. */
export async function runIngest(ctx: CliContext, kind: string | undefined, files: string[], raw: Record<string, unknown>): Promise<number> {
  const opts = optionsSchema.parse(raw);
  const profiles = (opts.profile ?? []).map((p) => findProfile(p, ctx.config.ingest.profilesDir));
  if (opts.dir && (kind || files.length)) {
    throw new KiinniError(ErrorCode.Usage, 'Give either --dir DIR or a kind and files, not both.', 'kiinni ingest --dir exports/   or   kiinni ingest attendance attendance.csv');
  }
  if (!opts.dir) {
    if (!kind) throw new KiinniError(ErrorCode.Usage, 'Missing the data kind.', 'kiinni ingest <kind> <file…>, e.g. kiinni ingest attendance attendance.csv; or kiinni ingest --dir DIR.');
    if (!isContractKind(kind)) contractFor(kind); // throws NOT_FOUND listing the kinds
    if (!files.length) throw new KiinniError(ErrorCode.Usage, `No files given for ${kind}.`, `kiinni ingest ${kind} FILE…`);
    const wrong = profiles.find((p) => p.kind !== kind);
    if (wrong) throw new KiinniError(ErrorCode.Usage, `Import profile '${wrong.name}' is for ${wrong.kind}, not ${kind}.`);
  }
  const byKind = new Map<ContractKind, ImportProfile>(profiles.map((p) => [p.kind, p]));
  const fx = { logger: ctx.logger, clock: ctx.clock };
  const report = await withWarehouse(
    { dataDir: ctx.dataDir, config: ctx.config, logger: ctx.logger, clock: ctx.clock, write: true, command: 'ingest' },
    async ({ db }) => {
      if (opts.dir) {
        const { results, ignored } = await ingestDirectory(db, opts.dir, byKind, fx, ctx.config.ingest.maxQuarantineShare);
        return summarise(results, ignored);
      }
      const results: IngestResult[] = [];
      for (const file of files) results.push(await ingestFile(db, { kind: kind as ContractKind, file, profile: byKind.get(kind as ContractKind), maxQuarantineShare: ctx.config.ingest.maxQuarantineShare }, fx));
      return summarise(results, []);
    },
  );
  ctx.print(report, () => human(report));
  const failOnQuarantine = opts.failOnQuarantine ?? ctx.config.ingest.failOnQuarantine;
  if (report.totals.refused > 0 || (failOnQuarantine && report.totals.rows_quarantined > 0)) return ExitCode.InputRejected;
  // Files in a directory that are no data kind are said, and not passed over in silence.
  if (report.ignored_files.length) return ExitCode.InputRejected;
  if (report.files.some((r) => r.quarantine_share_exceeded)) return ExitCode.Incomplete;
  return ExitCode.Ok;
}
