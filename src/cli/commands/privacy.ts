import { writeFileSync } from 'node:fs';
import { localDate } from '../../core/dates.js';
import { withWarehouse } from '../../app/index.js';
import { applyRetention, subjectAccess, subjectAccessHtml } from '../../privacy/index.js';
import { listAudit, recordAudit } from '../../web/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { count, table } from '../format.js';
import { parseOptions, readSession, writeSession } from '../options.js';

/** `kiinni audit list [--student ID] [--staff ID] [--since DATE] [--limit N]`: for the data protection officer. */
export async function runAuditList(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.auditList), raw);
  const rows = await withWarehouse(readSession(ctx, 'audit list'), ({ db }) => listAudit(db, opts));
  ctx.print(rows, () =>
    rows.length
      ? table(['at (UTC)', 'staff', 'action', 'student', 'object', 'client', 'detail'], rows.map((r) => [r.at, r.staff_id ?? '–', r.action, r.student_id ?? '', r.object_id ?? '', r.client ?? '', r.detail ?? '']))
      : 'No audit entries match.',
  );
  return 0;
}

/** `kiinni subject-access STUDENT --out FILE [--format html|json]`: everything held about one student. */
export async function runSubjectAccess(ctx: CliContext, student: string, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.subjectAccess), raw);
  const x = await withWarehouse(writeSession(ctx, 'subject-access'), async ({ db }) => {
    const x = await subjectAccess(db, student, ctx.clock());
    await recordAudit(db, { staff_id: null, action: 'subject_access_exported', student_id: student, client: 'cli', detail: opts.out }, ctx.clock());
    return x;
  });
  writeFileSync(opts.out, opts.format === 'json' ? JSON.stringify(x, null, 2) + '\n' : subjectAccessHtml(x, opts.lang), { mode: 0o600 });
  const rows = x.sections.reduce((a, s) => a + s.rows.length, 0);
  ctx.print({ student_id: student, file: opts.out, sections: x.sections.map((s) => ({ table: s.table, rows: s.rows.length })) }, () => `Wrote everything held about ${student} (${count(rows)} rows in ${x.sections.filter((s) => s.rows.length).length} tables) to ${opts.out}.`);
  return 0;
}

/** `kiinni retention apply [--as-of DATE] [--dry-run]`. */
export async function runRetentionApply(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.retentionApply), raw);
  const asOf = opts.asOf ?? localDate(ctx.clock());
  const s = await withWarehouse(writeSession(ctx, 'retention apply'), async ({ db }) => {
    const s = await applyRetention(db, { asOf, yearsAfterExit: ctx.config.retention.yearsAfterExit, auditYears: ctx.config.retention.auditYears, dryRun: Boolean(opts.dryRun) });
    if (!opts.dryRun) await recordAudit(db, { staff_id: null, action: 'retention_applied', client: 'cli', detail: `${s.students} students exited before ${s.exited_before}` }, ctx.clock());
    return s;
  });
  ctx.print(s, () =>
    [
      `${opts.dryRun ? 'Would remove' : 'Removed'} the data of ${count(s.students)} students whose studies ended before ${s.exited_before} (${ctx.config.retention.yearsAfterExit} years before ${asOf}):`,
      table(['table', 'rows'], Object.entries(s.rows).filter(([, n]) => n > 0).map(([t, n]) => [t, n])),
      `Audit log: ${s.audit_rows_expired} entries past ${ctx.config.retention.auditYears} years ${opts.dryRun ? 'would be' : 'were'} removed; the rest is kept. Old sign-in links and sessions: ${s.sign_in_rows_expired}.`,
    ].join('\n'),
  );
  return 0;
}
