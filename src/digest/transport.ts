import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Config } from '../core/config.js';

/** One e-mail to send. */
export interface OutgoingMail {
  from: string;
  /** One recipient, kept structured: a name is never parsed as address syntax. */
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** Stable per staff member and day, so a re-sent digest is recognisably the same message. */
  messageId: string;
  date: Date;
  lang: string;
}

/** Where digests go: an outbox of .eml files, or an SMTP server. */
export interface Mailer {
  readonly kind: 'outbox' | 'smtp';
  readonly where: string;
  send(mail: OutgoingMail, fileName: string): Promise<void>;
  close(): void;
}

/**
 * The message for nodemailer. The recipient goes in as `{ name, address }` and the SMTP envelope
 * names that one address, so nothing in a name can add a recipient (a name like
 * `A <x@evil.example>, A` would otherwise be read as an address list).
 */
const toNodemailer = (m: OutgoingMail) => ({
  from: m.from,
  to: { name: m.to.name, address: m.to.address },
  envelope: { from: envelopeFrom(m.from), to: [m.to.address] },
  subject: m.subject,
  text: m.text,
  html: m.html,
  messageId: m.messageId,
  date: m.date,
  headers: { 'Content-Language': m.lang, 'Auto-Submitted': 'auto-generated' },
});

/** The bare address of a From header (`kiinni <noreply@x.fi>` → `noreply@x.fi`). */
const envelopeFrom = (from: string) => /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();

/**
 * Writes each message as `<dir>/<fileName>.eml` (atomically: a crash never leaves half a file),
 * built by nodemailer's MIME composer — the one its SMTP transport uses — without a transport
 * around it (half the cost of a stream transport per message).
 */
export function outboxMailer(dir: string): Mailer {
  return {
    kind: 'outbox',
    where: dir,
    async send(mail, fileName) {
      const message = await new Promise<Buffer>((resolve, reject) => new MailComposer(toNodemailer(mail)).compile().build((err, m) => (err ? reject(err) : resolve(m))));
      const file = path.join(dir, `${fileName}.eml`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, message);
      renameSync(`${file}.tmp`, file);
    },
    close() {},
  };
}

/** True when digests go over SMTP (KIINNI_SMTP_URL or the config's `digest.smtp`), not to the outbox. */
export function smtpConfigured(config: Config, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['KIINNI_SMTP_URL'] || config.digest.smtp);
}

/**
 * SMTP from `KIINNI_SMTP_URL` (smtp://host:port or smtps://…) or the config's `digest.smtp`.
 * Credentials come only from KIINNI_SMTP_USER and KIINNI_SMTP_PASSWORD, never from the config.
 */
export function smtpMailer(config: Config, env: NodeJS.ProcessEnv = process.env): Mailer | undefined {
  if (!smtpConfigured(config, env)) return undefined;
  const url = env['KIINNI_SMTP_URL'];
  const smtp = config.digest.smtp;
  const auth = env['KIINNI_SMTP_USER'] ? { user: env['KIINNI_SMTP_USER'], pass: env['KIINNI_SMTP_PASSWORD'] ?? '' } : undefined;
  let where: string;
  let options: Record<string, unknown>;
  if (url) {
    const u = new URL(url);
    where = `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`;
    options = {
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 587)),
      secure: u.protocol === 'smtps:',
      ...(u.hostname === '127.0.0.1' || u.hostname === 'localhost' ? { ignoreTLS: true } : {}),
    };
  } else {
    where = `smtp://${smtp!.host}:${smtp!.port}`;
    options = { host: smtp!.host, port: smtp!.port, secure: smtp!.security === 'tls', requireTLS: smtp!.security === 'starttls', ignoreTLS: smtp!.security === 'none' };
  }
  // A small pool: one connection carries many digests; a dropped one is replaced on the next send.
  const transport = nodemailer.createTransport({ ...options, auth, pool: true, maxConnections: 2, maxMessages: 200, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    kind: 'smtp',
    where,
    async send(mail) {
      await transport.sendMail(toNodemailer(mail));
    },
    close() {
      transport.close();
    },
  };
}

/**
 * Whether a failed send may succeed later: SMTP 4xx replies and lost connections are
 * transient; 5xx replies (a bad address, a refused message) are permanent.
 */
export function isTransient(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode < 500;
  return ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNRESET', 'ECONNREFUSED', 'EPROTOCOL', 'EDNS'].includes(e.code ?? '') || e.code === undefined;
}

/** A short reason for the delivery log: SMTP code and reply, never the message content. */
export function describeFailure(err: unknown): string {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string };
  return [e.code, e.responseCode, (e.response ?? e.message ?? '').split('\n')[0]].filter((x) => x !== undefined && x !== '').join(' ').slice(0, 300);
}
