import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { Warehouse } from '../db/warehouse.js';
import { buildDigest, digestRecipients, loadDigestData, type ComposeContext } from './compose.js';
import { renderDigest } from './render.js';
import { describeFailure, isTransient, type Mailer } from './transport.js';

export interface SendOptions {
  asOf: string;
  from: string;
  /** Also send to staff with nothing open. */
  sendEmpty: boolean;
  retry: { attempts: number; backoffMs: number };
}

/** Send options from the provider's config (`digest:`). */
export function sendOptions(config: Config, asOf: string): SendOptions {
  return { asOf, from: config.digest.from, sendEmpty: config.digest.sendEmpty, retry: config.digest.retry };
}

export interface DigestEffects {
  mailer: Mailer;
  logger: Logger;
  clock: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** With the staff workspace: a single-use sign-in link for one recipient, put in their digest. */
  signInLink?: ((db: Warehouse, staffId: string) => Promise<{ url: string; hours: number }>) | undefined;
  /** The workspace's address (`web.base_url`): items link to their pages instead of showing commands. */
  workspaceUrl?: string | undefined;
}

/** `kiinni digest send --json`. */
export interface SendSummary {
  as_of: string;
  transport: 'outbox' | 'smtp';
  where: string;
  sent: number;
  /** Already sent for this date by an earlier run. */
  already_sent: number;
  /** Nothing to act on (and send_empty is off). */
  nothing_to_send: number;
  /** Open items, but nothing new or escalated since their last digest and not the reminder day. */
  unchanged_not_sent: number;
  failed: number;
  failures: { staff_id: string; permanent: boolean; error: string }[];
  ms: number;
}

const messageId = (asOf: string, staffId: string) => `<digest-${asOf}-${staffId.replace(/[^A-Za-z0-9_.-]/g, '_')}@kiinni>`;

/**
 * Sends the day's digests, each staff member's at most once: the delivery log records every
 * attempt, a re-run sends only what is missing (never sent, or failed), transient SMTP errors
 * are retried with doubling backoff, and a permanent failure is recorded without stopping the
 * others. A message interrupted after the server accepted it but before it was recorded is sent
 * again with the same Message-ID, which mail clients show once.
 */
export async function sendDigests(db: Warehouse, opts: SendOptions, ctx: ComposeContext, fx: DigestEffects): Promise<SendSummary> {
  const t0 = Date.now();
  const sleep = fx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const recipients = await digestRecipients(db, { all: opts.sendEmpty });
  const sent = new Set(
    (await db.all(`SELECT staff_id FROM digest_deliveries WHERE as_of = $as_of::DATE AND status = 'sent'`, { as_of: opts.asOf })).map((r) => String(r['staff_id'])),
  );
  const data = await loadDigestData(db, opts.asOf);
  const summary: SendSummary = { as_of: opts.asOf, transport: fx.mailer.kind, where: fx.mailer.where, sent: 0, already_sent: 0, nothing_to_send: 0, unchanged_not_sent: 0, failed: 0, failures: [], ms: 0 };
  const record = (staffId: string, status: string, attempts: number, students: number, triggers: number, error: string | null) =>
    db.run(
      `INSERT OR REPLACE INTO digest_deliveries VALUES ($as_of::DATE, $staff, $status, $attempts, $mid, $students, $triggers, $transport, $error, $at::TIMESTAMP)`,
      { as_of: opts.asOf, staff: staffId, status, attempts, mid: messageId(opts.asOf, staffId), students, triggers, transport: fx.mailer.kind, error, at: fx.clock().toISOString() },
    );
  for (const recipient of recipients) {
    if (sent.has(recipient.staff_id)) {
      summary.already_sent++;
      continue;
    }
    const digest = buildDigest(recipient, data, ctx);
    if (!digest.students.length && !opts.sendEmpty) {
      summary.nothing_to_send++;
      continue;
    }
    if (digest.students.length && !digest.send) {
      summary.unchanged_not_sent++;
      continue;
    }
    const rendered = renderDigest(digest, { workspaceUrl: fx.workspaceUrl, signIn: fx.signInLink ? await fx.signInLink(db, recipient.staff_id) : undefined });
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        await fx.mailer.send(
          { from: opts.from, to: { name: recipient.name, address: recipient.email }, subject: rendered.subject, text: rendered.text, html: rendered.html, messageId: messageId(opts.asOf, recipient.staff_id), date: fx.clock(), lang: recipient.language },
          `${opts.asOf}/${recipient.staff_id}`,
        );
        await record(recipient.staff_id, 'sent', attempt, digest.students.length, digest.open_count, null);
        summary.sent++;
        break;
      } catch (err) {
        const transient = isTransient(err);
        const reason = describeFailure(err);
        if (transient && attempt < opts.retry.attempts) {
          fx.logger.warn({ staff_id: recipient.staff_id, attempt, error: reason }, 'digest_retry');
          await sleep(opts.retry.backoffMs * 2 ** (attempt - 1));
          continue;
        }
        await record(recipient.staff_id, 'failed', attempt, digest.students.length, digest.open_count, reason);
        fx.logger.error({ staff_id: recipient.staff_id, attempts: attempt, permanent: !transient, error: reason }, 'digest_failed');
        summary.failed++;
        summary.failures.push({ staff_id: recipient.staff_id, permanent: !transient, error: reason });
        break;
      }
    }
  }
  summary.ms = Date.now() - t0;
  fx.logger.info({ as_of: opts.asOf, sent: summary.sent, already_sent: summary.already_sent, nothing_to_send: summary.nothing_to_send, unchanged_not_sent: summary.unchanged_not_sent, failed: summary.failed, ms: summary.ms }, 'digests_sent');
  return summary;
}
