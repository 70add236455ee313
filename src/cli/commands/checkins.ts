import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { estimateCheckinEffect, gatewayJsonl, gatewayRecord, loadBottlenecks, planCheckins, planOptions } from '../../checkins/index.js';
import { literal } from '../../db/sql.js';
import { csvField } from '../../core/csv.js';
import { localDate } from '../../core/dates.js';
import { ErrorCode, KiinniError } from '../../core/errors.js';
import { withWarehouse } from '../../app/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { count } from '../format.js';
import { asOfOrLatest, parseOptions, readSession, writeSession } from '../options.js';
/** `kiinni checkins plan [--as-of DATE] [--out FILE] [--format csv|jsonl]`. */
export async function runCheckinsPlan(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.checkinsPlan), raw);
  const defs = await loadBottlenecks();
  const { summary, checkins } = await withWarehouse(writeSession(ctx, 'checkins plan'), async ({ db }) =>
    planCheckins(db, defs, planOptions(ctx.config, await asOfOrLatest(db, ctx, opts.asOf)), { logger: ctx.logger, clock: ctx.clock }),
  );
  const records = checkins.map((x) => gatewayRecord(x, defs));
  if (opts.out) {
    const body =
      opts.format === 'jsonl'
        ? gatewayJsonl(checkins, defs)
        : ['student_id,given_name,language,unit,question_set,questions', ...records.map((r) => [r.student_id, r.given_name, r.language, r.unit, r.question_set, r.questions.map((q) => q.text).join(' | ')].map(csvField).join(','))].join('\n') + '\n';
    writeFileSync(opts.out, body);
  }
  ctx.print({ ...summary, file: opts.out ?? null }, () =>
    summary.quiet_period
      ? `${summary.as_of} is in a quiet period: no check-ins planned.`
      : [
          `Check-ins for ${summary.as_of}: ${count(summary.planned)} planned of ${count(summary.candidates)} students at a bottleneck (skipped: ${summary.skipped.opted_out} opted out, ${summary.skipped.asked_recently} asked recently, ${summary.skipped.over_capacity} over the units' capacity).`,
          `Help-request rates (${summary.help_rates_source}): ${Object.entries(summary.help_rates).map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`).join(', ')}.`,
          opts.out ? `Written to ${opts.out} for the messaging gateway.` : 'Give --out FILE to write the plan for the messaging gateway.',
        ].join('\n'),
  );
  return 0;
}

/** `kiinni checkins opt-out STUDENT [--since DATE] [--undo]`. */
export async function runCheckinsOptOut(ctx: CliContext, student: string, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.checkinsOptOut), raw);
  await withWarehouse(writeSession(ctx, 'checkins opt-out'), async ({ db }) => {
    if (!(await db.one(`SELECT 1 AS x FROM students WHERE student_id = $id`, { id: student }))) throw new KiinniError(ErrorCode.NotFound, `No student ${student} in the warehouse.`);
    if (opts.undo) await db.run(`DELETE FROM checkin_optouts WHERE student_id = $id`, { id: student });
    else await db.run(`INSERT OR REPLACE INTO checkin_optouts VALUES ($id, $since::DATE)`, { id: student, since: opts.since ?? localDate(ctx.clock()) });
  });
  ctx.print({ student_id: student, opted_out: !opts.undo }, () => (opts.undo ? `${student} will be asked again.` : `${student} will not be sent check-ins.`));
  return 0;
}

/** `kiinni checkins effect [--as-of] [--from] [--grace-days 14] [--window-days 90]`: asked vs comparable not yet asked. */
export async function runCheckinsEffect(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.checkinsEffect), raw);
  const effect = await withWarehouse(readSession(ctx, 'checkins effect'), async ({ db }) =>
    estimateCheckinEffect(db, { asOf: await asOfOrLatest(db, ctx, opts.asOf), from: opts.from, graceDays: opts.graceDays, windowDays: opts.windowDays, bootstrap: opts.bootstrap, seed: 1 }),
  );
  const f = (x: number | null) => (x === null ? '–' : x.toFixed(3));
  ctx.print(effect, () =>
    [
      `Students at a bottleneck: ${count(effect.treated)} asked within ${effect.grace_days} days (${effect.treated_exits} negative exits in the next ${effect.window_days} days), ${count(effect.comparison)} not yet asked (${effect.comparison_exits}).`,
      `Risk ratio ${f(effect.risk_ratio)} [95 % CI ${effect.risk_ratio_ci?.map(f).join('–') ?? '–'}], risk difference ${f(effect.risk_difference)} [${effect.risk_difference_ci?.map(f).join('–') ?? '–'}]; crude ${f(effect.crude_risk_ratio)}; common support ${(effect.common_support * 100).toFixed(1)} %.`,
      'Who was asked first followed bottleneck priority, risk and capacity; the estimate adjusts for bottleneck, education type and risk quintile only.',
    ].join('\n'),
  );
  return 0;
}

const logFiles = {
  candidates: { file: 'candidates.csv', columns: ['as_of', 'student_id', 'bottleneck', 'status'], types: "{'as_of': 'DATE', 'student_id': 'VARCHAR', 'bottleneck': 'VARCHAR', 'status': 'VARCHAR'}" },
  plans: { file: 'plans.csv', columns: ['as_of', 'student_id', 'bottleneck', 'question_set', 'unit'], types: "{'as_of': 'DATE', 'student_id': 'VARCHAR', 'bottleneck': 'VARCHAR', 'question_set': 'VARCHAR', 'unit': 'VARCHAR'}" },
} as const;

/**
 * `kiinni checkins import-log DIR`: the log of a check-in programme run outside kiinni's plan
 * (a provider's own bot, or the generator's simulated programme): candidates.csv and plans.csv.
 * Replaces what the warehouse holds for the dates in the files.
 */
export async function runCheckinsImportLog(ctx: CliContext, dir: string): Promise<number> {
  for (const spec of Object.values(logFiles)) {
    const file = path.join(dir, spec.file);
    if (!existsSync(file)) throw new KiinniError(ErrorCode.InputRefused, `${file}: not found (a check-in log has candidates.csv and plans.csv).`);
    const header = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0]!.split(',').map((c) => c.trim());
    const missing = spec.columns.filter((c) => !header.includes(c));
    if (missing.length) throw new KiinniError(ErrorCode.InputRefused, `${file}: missing column ${missing.join(', ')} (expected ${spec.columns.join(', ')}).`);
  }
  const counts = await withWarehouse(writeSession(ctx, 'checkins import-log'), async ({ db }) => {
    const read = (k: keyof typeof logFiles) => `read_csv(${literal(path.join(dir, logFiles[k].file))}, header = true, columns = ${logFiles[k].types})`;
    const bad = await db.one(`SELECT count(*) AS n FROM ${read('candidates')} WHERE status NOT IN ('planned', 'opted_out', 'asked_recently', 'over_capacity')`);
    if (Number(bad?.['n'])) throw new KiinniError(ErrorCode.InputRefused, `${path.join(dir, 'candidates.csv')}: column status has ${bad!['n']} values other than planned, opted_out, asked_recently, over_capacity.`);
    let n = { candidates: 0, plans: 0 };
    await db.transaction(async () => {
      await db.run(`DELETE FROM checkin_candidates WHERE as_of IN (SELECT DISTINCT as_of FROM ${read('candidates')})`);
      await db.run(`DELETE FROM checkin_plans WHERE as_of IN (SELECT DISTINCT as_of FROM ${read('plans')})`);
      await db.run(`INSERT INTO checkin_candidates SELECT as_of, student_id, bottleneck, status FROM ${read('candidates')}`);
      await db.run(`INSERT INTO checkin_plans SELECT as_of, student_id, bottleneck, question_set, unit, now()::TIMESTAMP FROM ${read('plans')}`);
      n = {
        candidates: Number((await db.one(`SELECT count(*) AS n FROM ${read('candidates')}`))!['n']),
        plans: Number((await db.one(`SELECT count(*) AS n FROM ${read('plans')}`))!['n']),
      };
    });
    return n;
  });
  ctx.print(counts, () => `Imported the check-in log: ${count(counts.candidates)} students at a bottleneck, ${count(counts.plans)} check-ins sent.`);
  return 0;
}
