import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { Warehouse } from '../db/warehouse.js';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { noProgress, type Progress } from '../core/progress.js';
import { buildDigest, digestRecipients, loadDigestData, type ComposeContext, type Digest, type Recipient } from './compose.js';
import { renderDigest, type RenderedDigest } from './render.js';
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
  /** With the staff workspace: single-use sign-in links for these recipients, stored before any of their messages leaves. */
  signInLinks?: ((db: Warehouse, staffIds: readonly string[]) => Promise<Map<string, { url: string; hours: number }>>) | undefined;
  /** The workspace's address (`web.base_url`): items link to their pages instead of showing commands. */
  workspaceUrl?: string | undefined;
  /** Where the send journal lives (the data directory's `journal/`): one line per message handed over. */
  journalDir: string;
  /** How far the run has come, in staff members handled. */
  progress?: Progress | undefined;
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

/** One row of the delivery log. */
interface Delivery {
  as_of: string;
  staff_id: string;
  status: 'sent' | 'failed';
  attempts: number;
  message_id: string;
  students: number;
  triggers: number;
  transport: string;
  error: string | null;
  recorded_at: string;
}

/** Recipients handled between two writes of the delivery log (and one batch of sign-in links). */
const batchSize = 500;

/**
 * Sends the day's digests, each staff member's at most once. The point of truth is the hand-over:
 * the moment the outbox file is in place or the SMTP server has accepted the message, a line is
 * appended to the day's send journal, and the delivery log takes the journal's lines in batches
 * (one write per 500 recipients instead of one commit per message). A run that starts finds any
 * journal an interrupted run left, records its lines first, and so sends only what is missing
 * (never sent, or failed). Transient SMTP errors are retried with doubling backoff; a permanent
 * failure is recorded without stopping the others. A message interrupted after the server
 * accepted it but before its journal line was written is sent again with the same Message-ID,
 * which mail clients show once.
 */
export async function sendDigests(db: Warehouse, opts: SendOptions, ctx: ComposeContext, fx: DigestEffects): Promise<SendSummary> {
  const t0 = Date.now();
  const sleep = fx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const journal = new SendJournal(path.join(fx.journalDir, `digests-${opts.asOf}.jsonl`));
  const replayed = await journal.replay(db);
  if (replayed) fx.logger.info({ as_of: opts.asOf, deliveries: replayed }, 'digest_journal_replayed');
  const recipients = await digestRecipients(db, { all: opts.sendEmpty });
  const sent = new Set(
    (await db.all(`SELECT staff_id FROM digest_deliveries WHERE as_of = $as_of::DATE AND status = 'sent'`, { as_of: opts.asOf })).map((r) => String(r['staff_id'])),
  );
  const data = await loadDigestData(db, opts.asOf);
  const progress = fx.progress ?? noProgress;
  progress.start('digests', recipients.length, 'staff');
  const summary: SendSummary = { as_of: opts.asOf, transport: fx.mailer.kind, where: fx.mailer.where, sent: 0, already_sent: 0, nothing_to_send: 0, unchanged_not_sent: 0, failed: 0, failures: [], ms: 0 };
  const delivery = (staffId: string, status: Delivery['status'], attempts: number, digest: Digest, error: string | null): Delivery => ({
    as_of: opts.asOf, staff_id: staffId, status, attempts, message_id: messageId(opts.asOf, staffId), students: digest.students.length, triggers: digest.open_count, transport: fx.mailer.kind, error, recorded_at: fx.clock().toISOString(),
  });

  const sendOne = async (recipient: Recipient, digest: Digest, rendered: RenderedDigest) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await fx.mailer.send(
          { from: opts.from, to: { name: recipient.name, address: recipient.email }, subject: rendered.subject, text: rendered.text, html: rendered.html, messageId: messageId(opts.asOf, recipient.staff_id), date: fx.clock(), lang: recipient.language },
          `${opts.asOf}/${recipient.staff_id}`,
        );
        journal.add(delivery(recipient.staff_id, 'sent', attempt, digest, null));
        summary.sent++;
        return;
      } catch (err) {
        const transient = isTransient(err);
        const reason = describeFailure(err);
        if (transient && attempt < opts.retry.attempts) {
          fx.logger.warn({ staff_id: recipient.staff_id, attempt, error: reason }, 'digest_retry');
          await sleep(opts.retry.backoffMs * 2 ** (attempt - 1));
          continue;
        }
        journal.add(delivery(recipient.staff_id, 'failed', attempt, digest, reason));
        fx.logger.error({ staff_id: recipient.staff_id, attempts: attempt, permanent: !transient, error: reason }, 'digest_failed');
        summary.failed++;
        summary.failures.push({ staff_id: recipient.staff_id, permanent: !transient, error: reason });
        return;
      }
    }
  };

  for (let i = 0; i < recipients.length; i += batchSize) {
    const todo: { recipient: Recipient; digest: Digest }[] = [];
    for (const recipient of recipients.slice(i, i + batchSize)) {
      if (sent.has(recipient.staff_id)) {
        summary.already_sent++;
        continue;
      }
      const digest = buildDigest(recipient, data, ctx);
      if (!digest.students.length && !opts.sendEmpty) summary.nothing_to_send++;
      else if (digest.students.length && !digest.send) summary.unchanged_not_sent++;
      else todo.push({ recipient, digest });
    }
    progress.advance(Math.min(batchSize, recipients.length - i) - todo.length);
    if (!todo.length) continue;
    const links = fx.signInLinks ? await fx.signInLinks(db, todo.map((x) => x.recipient.staff_id)) : undefined;
    const render = (k: number) => renderDigest(todo[k]!.digest, { workspaceUrl: fx.workspaceUrl, signIn: links?.get(todo[k]!.recipient.staff_id) });
    // Each message is drawn while the one before it is on its way (one message in flight at a time).
    let next = render(0);
    for (let k = 0; k < todo.length; k++) {
      const sending = sendOne(todo[k]!.recipient, todo[k]!.digest, next);
      if (k + 1 < todo.length) next = render(k + 1);
      await sending;
      progress.advance();
    }
    await journal.flush(db);
  }
  await journal.flush(db);
  journal.remove();
  progress.finish();
  summary.ms = Date.now() - t0;
  fx.logger.info({ as_of: opts.asOf, sent: summary.sent, already_sent: summary.already_sent, nothing_to_send: summary.nothing_to_send, unchanged_not_sent: summary.unchanged_not_sent, failed: summary.failed, ms: summary.ms }, 'digests_sent');
  return summary;
}

/**
 * The day's send journal: an append-only file of delivery-log rows, one JSON line written the
 * moment a message is handed over (a killed process loses none of them; a line cut short by a
 * crash is the message that was not recorded, and is sent again), taken into the delivery log
 * in batches and removed once a run has recorded everything.
 */
class SendJournal {
  private pending: Delivery[] = [];
  private fd: number | undefined;

  constructor(private readonly file: string) {}

  add(d: Delivery): void {
    if (this.fd === undefined) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a');
    }
    writeSync(this.fd, `${JSON.stringify(d)}\n`);
    this.pending.push(d);
  }

  /** Writes what was handed over since the last flush into the delivery log (one statement). */
  async flush(db: Warehouse): Promise<void> {
    if (!this.pending.length) return;
    await recordDeliveries(db, this.pending);
    this.pending = [];
  }

  /** Records the lines an interrupted run left (the last may be cut short); how many. */
  async replay(db: Warehouse): Promise<number> {
    if (!existsSync(this.file)) return 0;
    const rows: Delivery[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      try {
        if (line.trim()) rows.push(JSON.parse(line) as Delivery);
      } catch {
        // The line being written when the process died: that message counts as not recorded.
      }
    }
    for (let i = 0; i < rows.length; i += batchSize) await recordDeliveries(db, rows.slice(i, i + batchSize));
    rmSync(this.file);
    return rows.length;
  }

  remove(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.file, { force: true });
  }
}

/** Rows into the delivery log in one statement (a later row for the same person and day replaces the earlier). */
async function recordDeliveries(db: Warehouse, rows: readonly Delivery[]): Promise<void> {
  await db.run(
    `INSERT OR REPLACE INTO digest_deliveries
     SELECT d.as_of::DATE, d.staff_id, d.status, d.attempts, d.message_id, d.students, d.triggers, d.transport, d.error, d.recorded_at::TIMESTAMP
     FROM (SELECT unnest(from_json($rows, '[{"as_of":"VARCHAR","staff_id":"VARCHAR","status":"VARCHAR","attempts":"INTEGER","message_id":"VARCHAR","students":"INTEGER","triggers":"INTEGER","transport":"VARCHAR","error":"VARCHAR","recorded_at":"VARCHAR"}]')) AS d)`,
    { rows: JSON.stringify(rows) },
  );
}
