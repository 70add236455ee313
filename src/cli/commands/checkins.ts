import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { gatewayJsonl, gatewayRecord, loadBottlenecks, planCheckins, planOptions } from '../../checkins/index.js';
import { csvField } from '../../core/csv.js';
import { localDate } from '../../core/dates.js';
import { ErrorCode, KiinniError } from '../../core/errors.js';
import { withWarehouse } from '../../pipeline/session.js';
import type { CliContext } from '../context.js';
import { count } from '../format.js';
import { asOfOrLatest, dateOption, parseOptions, writeSession } from '../options.js';


/** `kiinni checkins plan [--as-of DATE] [--out FILE] [--format csv|jsonl]`. */
export async function runCheckinsPlan(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(z.object({ asOf: dateOption.optional(), out: z.string().optional(), format: z.enum(['csv', 'jsonl']).default('jsonl') }), raw);
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
  const opts = parseOptions(z.object({ since: dateOption.optional(), undo: z.boolean().optional() }), raw);
  await withWarehouse(writeSession(ctx, 'checkins opt-out'), async ({ db }) => {
    if (!(await db.one(`SELECT 1 AS x FROM students WHERE student_id = $id`, { id: student }))) throw new KiinniError(ErrorCode.NotFound, `No student ${student} in the warehouse.`);
    if (opts.undo) await db.run(`DELETE FROM checkin_optouts WHERE student_id = $id`, { id: student });
    else await db.run(`INSERT OR REPLACE INTO checkin_optouts VALUES ($id, $since::DATE)`, { id: student, since: opts.since ?? localDate(ctx.clock()) });
  });
  ctx.print({ student_id: student, opted_out: !opts.undo }, () => (opts.undo ? `${student} will be asked again.` : `${student} will not be sent check-ins.`));
  return 0;
}
