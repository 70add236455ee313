import { digestSignInLinks } from '../../web/index.js';
import { writeFileSync } from 'node:fs';
import { localDate } from '../../core/dates.js';
import { composeContext, composeDigest, findRecipient, outboxMailer, renderDigest, sendDigests, sendOptions, smtpMailer } from '../../digest/index.js';
import { withWarehouse } from '../../app/index.js';
import { lastTriggerRun, loadRules } from '../../triggers/index.js';
import type { Warehouse } from '../../db/warehouse.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { count } from '../format.js';
import { parseOptions, readSession, writeSession } from '../options.js';


/** The digest date: --as-of, else the last trigger run, else today. */
async function digestDate(db: Warehouse, ctx: CliContext, asOf: string | undefined): Promise<string> {
  return asOf ?? (await lastTriggerRun(db)) ?? localDate(ctx.clock());
}

/** `kiinni digest send [--as-of DATE]`: exit 1 when any message failed. */
export async function runDigestSend(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.digestSend), raw);
  const compose = composeContext(await loadRules(ctx.config), ctx.config);
  const summary = await withWarehouse(writeSession(ctx, 'digest send'), async ({ db, dir }) => {
    const mailer = smtpMailer(ctx.config) ?? outboxMailer(dir.outbox);
    try {
      const asOf = await digestDate(db, ctx, opts.asOf);
      return await sendDigests(db, sendOptions(ctx.config, asOf), compose, { mailer, logger: ctx.logger, clock: ctx.clock, signInLinks: digestSignInLinks(ctx.config, dir.root, ctx.clock), workspaceUrl: ctx.config.web.baseUrl, journalDir: dir.journal, progress: ctx.progress });
    } finally {
      mailer.close();
    }
  });
  ctx.print(summary, () =>
    [
      `Digests for ${summary.as_of} via ${summary.transport} (${summary.where}): ${count(summary.sent)} sent, ${count(summary.already_sent)} already sent, ${count(summary.nothing_to_send)} with nothing to act on, ${count(summary.unchanged_not_sent)} with nothing new (not sent; the weekly reminder repeats open items), ${count(summary.failed)} failed.`,
      ...summary.failures.map((f) => `  ${f.staff_id}: ${f.permanent ? 'permanent' : 'gave up after retries'}: ${f.error}`),
      ...(summary.failed ? ["Run 'kiinni digest send' again to retry what failed; what was sent is not sent twice."] : []),
    ].join('\n'),
  );
  return summary.failed ? 1 : 0;
}

/** `kiinni digest preview --staff ID [--as-of DATE] [--format text|html|eml] [--out FILE]`. */
export async function runDigestPreview(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.digestPreview), raw);
  const compose = composeContext(await loadRules(ctx.config), ctx.config);
  const { digest, rendered } = await withWarehouse(readSession(ctx, 'digest preview'), async ({ db }) => {
    const digest = await composeDigest(db, await findRecipient(db, opts.staff), await digestDate(db, ctx, opts.asOf), compose);
    // The coordinator's preview: with the workspace configured it shows the staff e-mail (links,
    // no commands); without it, the commands to act on each item.
    return { digest, rendered: renderDigest(digest, { workspaceUrl: ctx.config.web.baseUrl }) };
  });
  const body = opts.format === 'html' ? rendered.html : opts.format === 'json' ? JSON.stringify(digest, null, 2) : `Subject: ${rendered.subject}\n\n${rendered.text}`;
  if (opts.out) {
    writeFileSync(opts.out, body);
    ctx.print({ staff_id: opts.staff, as_of: digest.as_of, students: digest.students.length, file: opts.out }, () => `Wrote ${opts.out} (${digest.students.length} students).`);
  } else {
    ctx.print({ subject: rendered.subject, digest, text: rendered.text, html: rendered.html }, () => body);
  }
  return 0;
}
