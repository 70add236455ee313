import { ErrorCode, ExitCode, KiinniError } from '../../core/errors.js';
import { contractFor, findProfile, ingestDirectory, ingestFiles, isContractKind, type ContractKind, type ImportProfile, type IngestResult } from '../../ingest/index.js';
import { withWarehouse } from '../../app/index.js';
import type { ScanAhead } from '../../ingest/file-scan.js';
import type { KoskiIngestResult } from '../../koski/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { parseOptions, writeSession } from '../options.js';
import { count, table } from '../format.js';


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

/** `kiinni ingest koski <file|dir…>` human output. */
function humanKoski(results: KoskiIngestResult[]): string {
  const lines = [
    table(
      ['export', 'status', 'documents', 'students', 'events', 'courses', 'loaded', 'quarantined'],
      results.map((r) => [r.source, r.status, r.counts.documents, r.counts.students, Object.values(r.counts.events_by_kind).reduce((a, b) => a + b, 0), r.counts.courses, r.rows_loaded, r.rows_quarantined]),
    ),
  ];
  for (const r of results) {
    const c = r.counts;
    if (r.status === 'refused') lines.push(`refused: ${r.message}${r.hint ? `\n  ${r.hint}` : ''}`);
    const skipped = Object.entries(c.skipped_by_type).map(([t, n]) => `${t} ${n}`);
    if (skipped.length) lines.push(`${r.source}: study rights of other types skipped: ${skipped.join(', ')}`);
    if (c.dropped.mitatoity || c.dropped.peruutettu) lines.push(`${r.source}: dropped whole: ${c.dropped.mitatoity} mitätöity, ${c.dropped.peruutettu} peruutettu`);
    const notes = [
      c.courses_in_progress && `${c.courses_in_progress} in progress (no evaluation)`,
      c.courses_without_credits && `${c.courses_without_credits} without laajuus (credits unknown)`,
      c.courses_dated_by_certificate && `${c.courses_dated_by_certificate} evaluated without a date, dated by the certificate`,
      c.courses_evaluated_without_date && `${c.courses_evaluated_without_date} evaluated without any date (left in progress)`,
      c.repeated_course_codes && `${c.repeated_course_codes} repeated codes under one parent (#2, #3…)`,
      c.credits_in_kurssi && `${c.credits_in_kurssi} counted in kurssi (1 kurssi = 2 op)`,
    ].filter(Boolean);
    if (notes.length) lines.push(`${r.source}: courses: ${notes.join('; ')}`);
    const unmapped = Object.entries(c.states_not_mapped).map(([t, n]) => `${t} ${n}`);
    if (unmapped.length) lines.push(`${r.source}: states with no event: ${unmapped.join(', ')}`);
    for (const l of r.loads) for (const w of l.warnings) lines.push(`warning: ${r.source} (${l.kind}): ${w}`);
  }
  if (results.some((r) => r.rows_quarantined)) lines.push("Run 'kiinni quarantine list' to see the rejected rows and why.");
  return lines.join('\n');
}

/** `kiinni ingest koski <file|dir…>`: each argument is one export, loaded in one transaction. */
async function runKoskiIngest(ctx: CliContext, sources: string[], opts: { failOnQuarantine?: boolean | undefined }): Promise<number> {
  if (!sources.length) throw new KiinniError(ErrorCode.Usage, 'No KOSKI export given.', 'kiinni ingest koski FILE.json|FILE.jsonl|DIR …');
  const { ingestKoski, pseudonymiser } = await import('../../koski/index.js');
  const pseudonyms = pseudonymiser();
  const fx = { logger: ctx.logger, clock: ctx.clock };
  const results = await withWarehouse(writeSession(ctx, 'ingest koski'), async ({ db }) => {
    const out: KoskiIngestResult[] = [];
    for (const source of sources) out.push(await ingestKoski(db, source, { pseudonyms, names: ctx.config.koski.names, maxQuarantineShare: ctx.config.ingest.maxQuarantineShare }, fx));
    return out;
  });
  ctx.print({ exports: results }, () => humanKoski(results));
  const quarantined = results.reduce((a, r) => a + r.rows_quarantined, 0);
  if (results.some((r) => r.status === 'refused') || ((opts.failOnQuarantine ?? ctx.config.ingest.failOnQuarantine) && quarantined > 0)) return ExitCode.InputRejected;
  if (results.some((r) => r.loads.some((l) => l.quarantine_share_exceeded))) return ExitCode.Incomplete;
  return ExitCode.Ok;
}

/** `kiinni ingest <kind> <file…>`, `kiinni ingest koski <file|dir…>` or `kiinni ingest --dir DIR`. */
export async function runIngest(ctx: CliContext, kind: string | undefined, files: string[], raw: Record<string, unknown>, ahead: ReadonlyMap<string, ScanAhead> = new Map()): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.ingest), raw);
  if (kind === 'koski' && !opts.dir) return runKoskiIngest(ctx, files, opts);
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
  const fx = { logger: ctx.logger, clock: ctx.clock, progress: ctx.progress };
  const report = await withWarehouse(
    { dataDir: ctx.dataDir, config: ctx.config, logger: ctx.logger, clock: ctx.clock, write: true, command: 'ingest' },
    async ({ db }) => {
      if (opts.dir) {
        const { results, ignored } = await ingestDirectory(db, opts.dir, byKind, fx, ctx.config.ingest.maxQuarantineShare);
        return summarise(results, ignored);
      }
      const results = await ingestFiles(db, files.map((file) => ({ kind: kind as ContractKind, file, scan: ahead.get(file)?.result })), byKind, fx, ctx.config.ingest.maxQuarantineShare);
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
