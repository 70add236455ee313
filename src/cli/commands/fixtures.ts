import { rmSync } from 'node:fs';
import path from 'node:path';
import { generateCohort } from '../../synth/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { count, table } from '../format.js';
import { parseOptions } from '../options.js';


/** `kiinni fixtures generate`: a synthetic cohort with a known truth. */
export async function runFixturesGenerate(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.fixturesGenerate), raw, 'kiinni fixtures generate --students 600 --seed 1 --out fixtures/cohort');
  const tty = process.stderr.isTTY && !ctx.json;
  // KOSKI: the cohort as CSV first, then its students, events and courses as KOSKI documents.
  const koski = opts.format === 'koski';
  const result = await generateCohort({ ...opts, format: opts.format === 'koski' ? 'csv' : opts.format }, {
    logger: ctx.logger,
    progress: tty
      ? (done, total) => process.stderr.write(`\r  generating students ${count(done)} / ${count(total)} (${Math.round((100 * done) / total)} %)${done === total ? '\n' : ''}`)
      : undefined,
  });
  if (koski) {
    const { writeKoskiExport } = await import('../../synth/index.js');
    const k = await writeKoskiExport(result.out, opts.seed);
    for (const kind of ['students', 'study_right_events', 'course_progress']) rmSync(path.join(result.out, `${kind}.csv`));
    result.files = [...result.files.filter((f) => !['students', 'study_right_events', 'course_progress'].includes(f.kind)), { kind: 'koski', file: 'koski/', rows: k.documents }];
  }
  ctx.print(result, () =>
    [
      `Wrote a synthetic cohort of ${count(result.students)} students (seed ${result.seed}, ${result.window.start} → ${result.window.export_date}) to ${result.out} in ${result.seconds} s:`,
      table(['kind', 'file', 'rows'], result.files.map((f) => [f.kind, f.file, f.rows])),
      `Truth files (never read by kiinni while scoring): ${result.truth_dir}`,
      ...(result.checkin_programme
        ? [`Check-in programme from ${result.checkin_programme.from}: ${count(result.checkin_programme.candidates)} students at a bottleneck, ${count(result.checkin_programme.plans)} asked (checkins/).`]
        : []),
      ...(opts.dirty > 0
        ? [`Injected faults: ${result.faults.quarantined_rows_expected} rows should be quarantined and ${result.faults.refused_files_expected} files refused (truth/faults.csv).`]
        : []),
    ].join('\n'),
  );
  return 0;
}
