#!/usr/bin/env node
// Time to compose, render and hand over every staff member's digest on the weekly reminder day
// (everyone with an open item gets a message: the heaviest day), delivery log included, to the
// outbox and to a local SMTP sink, each against a reference measured in the same run: the same
// number of messages of the same average size built by nodemailer and written to files / sent to
// the same sink (transport cost alone).
// Usage: npm run -s bench:digest -- --data-dir DIR [--as-of 2026-02-13] [--days 5] [--json]
//   DIR holds a warehouse with a cohort ingested (e.g. 330 000 students: kiinni fixtures generate
//   --students 330000 --out C && kiinni --data-dir DIR ingest --dir C && kiinni --data-dir DIR model train).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { allMigrations } from '../src/app/index.js';
import { defaultConfig } from '../src/core/config.js';
import { addDays, weekdayOf } from '../src/core/dates.js';
import { silentLogger } from '../src/core/log.js';
import { migrate } from '../src/db/migrate.js';
import { Warehouse } from '../src/db/warehouse.js';
import { outboxMailer, sendDigests, smtpMailer } from '../src/digest/index.js';
import { loadCatalogue } from '../src/features/index.js';
import { scoreStudents } from '../src/model/index.js';
import { lastTriggerRun, loadRules, runTriggers } from '../src/triggers/index.js';
import { args, log, num } from './lib/harness.js';

const a = args('bench-digest', { 'data-dir': { type: 'string' }, 'as-of': { type: 'string', default: '2026-02-13' }, days: { type: 'string', default: '5' } }, ['data-dir']);
const dataDir = a['data-dir']!;
const asOf = a['as-of'];
const nDays = num('days', a.days);
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

// The sink: a real SMTP server on 127.0.0.1 that counts and discards.
let received = 0;
let bytes = 0;
const sink = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  onData(stream, _session, cb) {
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      received++;
      cb();
    });
  },
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkPort = (sink.server.address() as AddressInfo).port;
const url = `smtp://127.0.0.1:${sinkPort}`;

const db = await Warehouse.open(path.join(dataDir, 'kiinni.duckdb'));
await migrate(db, allMigrations, new Date());
const fx = { logger: silentLogger(), clock: () => new Date() };
const rules = await loadRules(defaultConfig());
const count = async (sql: string) => Number((await db.one(sql))!['n']);
const students = await count(`SELECT count(*) AS n FROM students`);
const staffCount = await count(`SELECT count(*) AS n FROM staff`);
const first = addDays(asOf, -(nDays - 1));
const done = await lastTriggerRun(db);
let triggerMs = 0;
if (!done || done < asOf) {
  const current = await db.one(`SELECT version FROM model_versions WHERE status = 'current'`);
  if (current) {
    log(`scoring ${first}`);
    await scoreStudents(db, { asOf: first }, fx);
  }
  for (let d = done && done >= first ? addDays(done, 1) : first; d <= asOf; d = addDays(d, 1)) {
    const t = performance.now();
    const s = await runTriggers(db, rules, { asOf: d }, fx);
    triggerMs = performance.now() - t;
    log(`triggers ${d}: ${s.students} active, ${s.opened} opened, ${Math.round(triggerMs)} ms`);
  }
}
const ctx = { rules: new Map(rules.map((r) => [r.id, r])), features: loadCatalogue(), policy: { maxItems: 20, reminderWeekday: weekdayOf(asOf) } };
const sendOpts = { asOf, from: 'kiinni <kiinni@bench.example>', sendEmpty: false, retry: { attempts: 2, backoffMs: 10 } };
const journalDir = path.join(dataDir, 'journal');

// 1. The outbox (the default without SMTP): .eml files under a scratch directory.
const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'kiinni-bench-outbox-'));
await db.run(`DELETE FROM digest_deliveries WHERE as_of = $d::DATE`, { d: asOf });
log('sending digests to the outbox');
let t0 = performance.now();
const toOutbox = await sendDigests(db, sendOpts, ctx, { ...fx, mailer: outboxMailer(outboxDir), journalDir });
const outboxMs = performance.now() - t0;
const files = readdirSync(path.join(outboxDir, asOf)).map((f) => path.join(outboxDir, asOf, f));
const outboxBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);

// 2. SMTP: the same messages to the sink.
await db.run(`DELETE FROM digest_deliveries WHERE as_of = $d::DATE`, { d: asOf });
log('sending digests over SMTP');
const mailer = smtpMailer(defaultConfig(), { KIINNI_SMTP_URL: url })!;
t0 = performance.now();
const summary = await sendDigests(db, sendOpts, ctx, { ...fx, mailer, journalDir });
const kiinniMs = performance.now() - t0;
mailer.close();
const openTriggers = await count(`SELECT count(*) AS n FROM triggers WHERE status IN ('open', 'acknowledged')`);
db.close();

// References: nodemailer alone, the same number of messages of the same average size.
const avgBytes = Math.round(bytes / Math.max(1, received));
const filler = 'x'.repeat(Math.max(0, Math.round(avgBytes / 2) - 400));
const plain = (i: number) => ({ from: 'ref@bench.example', to: `staff${i}@bench.example`, subject: `reference ${i}`, text: filler, html: `<p>${filler}</p>`, messageId: `<ref-${i}@bench>` });
const refDir = mkdtempSync(path.join(os.tmpdir(), 'kiinni-bench-ref-'));
const refOutbox = outboxMailer(refDir);
const o0 = performance.now();
for (let i = 0; i < toOutbox.sent; i++) await refOutbox.send({ ...plain(i), to: { name: '', address: plain(i).to }, date: new Date(), lang: 'fi' }, String(i));
const outboxReferenceMs = performance.now() - o0;
rmSync(refDir, { recursive: true, force: true });
rmSync(outboxDir, { recursive: true, force: true });
const reference = nodemailer.createTransport({ host: '127.0.0.1', port: sinkPort, ignoreTLS: true, pool: true, maxConnections: 2, maxMessages: 200 });
const receivedBefore = received;
const r0 = performance.now();
for (let i = 0; i < summary.sent; i++) await reference.sendMail(plain(i));
const referenceMs = performance.now() - r0;
reference.close();
clearInterval(rssTimer);
await new Promise<void>((r) => sink.close(() => r()));

const result = {
  students,
  staff: staffCount,
  as_of: asOf,
  open_triggers: openTriggers,
  digests_sent: summary.sent,
  nothing_to_send: summary.nothing_to_send,
  unchanged_not_sent: summary.unchanged_not_sent,
  failed: summary.failed,
  received_by_sink: receivedBefore,
  average_message_bytes: avgBytes,
  outbox: {
    sent: toOutbox.sent,
    files: files.length,
    average_file_bytes: Math.round(outboxBytes / Math.max(1, files.length)),
    kiinni_s: Math.round(outboxMs) / 1000,
    reference_s: Math.round(outboxReferenceMs) / 1000,
    ratio: Math.round((outboxMs / outboxReferenceMs) * 100) / 100,
    per_message_ms: Math.round((outboxMs / Math.max(1, toOutbox.sent)) * 100) / 100,
  },
  kiinni_s: Math.round(kiinniMs) / 1000,
  reference_s: Math.round(referenceMs) / 1000,
  ratio: Math.round((kiinniMs / referenceMs) * 100) / 100,
  per_message_ms: Math.round((kiinniMs / Math.max(1, summary.sent)) * 100) / 100,
  peak_rss_mib: Math.round(peakRss / 2 ** 20),
};
if (a.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else
  process.stdout.write(
    `${students} students, ${staffCount} staff, ${result.open_triggers} open triggers; ${asOf} as the weekly reminder day (every staff member with an open item gets a message).\n` +
      `Outbox: ${result.outbox.sent} digests composed, rendered and written (${result.outbox.average_file_bytes} bytes on average) with the delivery log in ${result.outbox.kiinni_s} s, ${result.outbox.per_message_ms} ms each; ` +
      `nodemailer building and writing the same count and size: ${result.outbox.reference_s} s; ratio ${result.outbox.ratio}.\n` +
      `SMTP: ${result.digests_sent} digests to a local sink in ${result.kiinni_s} s (${result.per_message_ms} ms each); nodemailer alone, same count and size: ${result.reference_s} s; ratio ${result.ratio}. Peak RSS ${result.peak_rss_mib} MiB.\n`,
  );
