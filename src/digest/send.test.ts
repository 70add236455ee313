import { tempDir } from '../testing/temp-dir.js';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../core/config.js';
import { maySee } from '../core/roles.js';
import type { Warehouse } from '../db/warehouse.js';
import { loadCatalogue } from '../features/index.js';
import { startSmtp, type TestSmtp } from '../testing/smtp.js';
import { testEffects, withCohortWarehouse } from '../testing/warehouse.js';
import { welfareMarkers } from '../testing/welfare.js';
import { loadRules, runTriggers, type TriggerRule } from '../triggers/index.js';
import { sendDigests, smtpMailer, type ComposeContext, type SendSummary } from './index.js';

/** The bundled cohort with a week of triggers; digests for Friday 6 Feb 2026 over real SMTP. */
const asOf = '2026-02-06';
let rules: TriggerRule[];
let ctx: ComposeContext;
let smtp: TestSmtp | undefined;
beforeAll(async () => {
  rules = await loadRules(defaultConfig());
  ctx = { rules: new Map(rules.map((r) => [r.id, r])), features: loadCatalogue() };
});
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

async function withWeekOfTriggers(fn: (db: Warehouse) => Promise<void>): Promise<void> {
  await withCohortWarehouse(async (db) => {
    for (const day of ['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05', '2026-02-06']) await runTriggers(db, rules, { asOf: day }, testEffects);
    await fn(db);
  });
}

async function send(db: Warehouse, server: TestSmtp, attempts = 3, journalDir = tempDir()): Promise<SendSummary> {
  const mailer = smtpMailer(defaultConfig(), { KIINNI_SMTP_URL: server.url })!;
  try {
    return await sendDigests(db, { asOf, from: 'kiinni <kiinni@koulu.example.fi>', sendEmpty: false, retry: { attempts, backoffMs: 1 } }, ctx, { ...testEffects, mailer, journalDir });
  } finally {
    mailer.close();
  }
}

const staffById = async (db: Warehouse) =>
  new Map((await db.all(`SELECT staff_id, email, language, roles FROM staff`)).map((r) => [String(r['email']), { id: String(r['staff_id']), language: String(r['language']), roles: r['roles'] as string[] }]));

describe('daily digests over real SMTP', () => {
  it('delivers one valid two-part message per staff member, in their language, with nothing welfare for other roles', async () => {
    await withWeekOfTriggers(async (db) => {
      smtp = await startSmtp();
      const summary = await send(db, smtp);
      const expected = Number((await db.one(`SELECT count(DISTINCT staff_id) AS n FROM triggers WHERE status IN ('open', 'acknowledged') AND staff_id IS NOT NULL`))!['n']);
      expect(summary).toMatchObject({ sent: expected, failed: 0, already_sent: 0 });
      expect(smtp.messages).toHaveLength(expected);
      const staff = await staffById(db);
      const markers = welfareMarkers(rules, ctx.features);
      const subjectWord: Record<string, RegExp> = { fi: /opiskelija/, sv: /studerande/, en: /student/ };
      let nonWelfare = 0;
      for (const m of smtp.messages) {
        const parsed = await simpleParser(m.raw);
        const to = parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]!.address! : '';
        const who = staff.get(to)!;
        expect(who, to).toBeDefined();
        expect(m.to).toEqual([to]);
        expect(parsed.text!.length).toBeGreaterThan(50);
        expect(parsed.html).toMatch(/<h1[ >]/);
        expect(parsed.headers.get('content-language')).toBe(who.language);
        expect(parsed.subject).toMatch(subjectWord[who.language]!);
        expect(parsed.messageId).toBe(`<digest-${asOf}-${who.id}@kiinni>`);
        if (!maySee(who.roles, 'welfare')) {
          nonWelfare++;
          const bytes = `${m.raw.toString('utf8')}\n${parsed.text}\n${parsed.html}`;
          for (const marker of markers) expect(bytes, `${who.id} (${who.roles.join(', ')})`).not.toContain(marker);
        }
      }
      expect(nonWelfare).toBeGreaterThan(5);

      // The same day again: nothing new goes out.
      const again = await send(db, smtp);
      expect(again).toMatchObject({ sent: 0, already_sent: expected, failed: 0 });
      expect(smtp.messages).toHaveLength(expected);
    });
  });

  it('rejected recipients and a dropped connection end, after a re-run, in exactly one message per staff member', async () => {
    await withWeekOfTriggers(async (db) => {
      smtp = await startSmtp();
      const staff = [...(await staffById(db)).entries()];
      const recipients = (await db.all(`SELECT DISTINCT s.email FROM triggers t JOIN staff s USING (staff_id) WHERE t.status IN ('open', 'acknowledged') ORDER BY 1`)).map((r) => String(r['email']));
      smtp.reject.add(recipients[1]!.toLowerCase());
      smtp.reject.add(recipients[4]!.toLowerCase());
      smtp.dropNext = 1; // one dropped connection: retried at once, delivered
      const first = await send(db, smtp, 3);
      expect(first.failed).toBe(2);
      expect(first.failures.every((f) => f.permanent && /550/.test(f.error))).toBe(true);
      expect(first.sent).toBe(recipients.length - 2);

      // An outage: every connection dropped; with two attempts each, the rest of the run fails
      // transiently. (Nothing else is left to send, so take the two rejected ones back first.)
      smtp.reject.clear();
      smtp.dropNext = 1000;
      const outage = await send(db, smtp, 2);
      expect(outage).toMatchObject({ sent: 0, failed: 2, already_sent: recipients.length - 2 });
      expect(outage.failures.every((f) => !f.permanent)).toBe(true);

      smtp.dropNext = 0;
      const healed = await send(db, smtp, 2);
      expect(healed).toMatchObject({ sent: 2, failed: 0, already_sent: recipients.length - 2 });
      const ids = await Promise.all(smtp.messages.map(async (m) => (await simpleParser(m.raw)).messageId));
      expect(ids).toHaveLength(recipients.length);
      expect(new Set(ids).size).toBe(recipients.length);
      const log = await db.all(`SELECT status, count(*) AS n FROM digest_deliveries WHERE as_of = $d::DATE GROUP BY 1`, { d: asOf });
      expect(log).toEqual([{ status: 'sent', n: recipients.length }]);
      expect(staff.length).toBeGreaterThan(recipients.length);
    });
  });
  it('a run killed with messages handed over but not yet in the delivery log: the next run records them from the journal and sends only the rest', async () => {
    await withWeekOfTriggers(async (db) => {
      smtp = await startSmtp();
      const journalDir = tempDir();
      // A complete run, to learn what a whole day sends; then forget it, keeping the journal of its first three
      // messages and half a line of the fourth (the process died while writing it).
      const whole = await send(db, smtp, 2, journalDir);
      const journal = path.join(journalDir, `digests-${asOf}.jsonl`);
      expect(existsSync(journal)).toBe(false);
      const rows = await db.all(`SELECT strftime(as_of, '%Y-%m-%d') AS as_of, staff_id, status, attempts, message_id, students, triggers, transport, error, strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.000Z') AS recorded_at FROM digest_deliveries ORDER BY staff_id`);
      await db.run(`DELETE FROM digest_deliveries`);
      const left = rows.slice(0, 3).map((r) => JSON.stringify(r)).join('\n') + '\n' + JSON.stringify(rows[3]).slice(0, 40);
      writeFileSync(journal, left);
      const before = smtp.messages.length;
      const again = await send(db, smtp, 2, journalDir);
      expect(again).toMatchObject({ already_sent: 3, sent: whole.sent - 3, failed: 0 });
      const resent = await Promise.all(smtp.messages.slice(before).map(async (m) => (await simpleParser(m.raw)).messageId));
      expect(resent).not.toContain(rows[0]!['message_id']);
      expect(resent).toContain(rows[3]!['message_id']);
      expect(await db.one(`SELECT count(*) AS n, count(DISTINCT staff_id) AS s FROM digest_deliveries WHERE status = 'sent'`)).toEqual({ n: whole.sent, s: whole.sent });
      expect(existsSync(journal)).toBe(false);
    });
  });

  it('#16.1 a name with address syntax adds no recipient: exactly one envelope recipient per digest', async () => {
    await withWeekOfTriggers(async (db) => {
      // Written past the staff contract on purpose: the transport must hold even if a name gets in.
      await db.run(`UPDATE staff SET name = 'Adam Ali <spy@evil.example>, Adam Ali'`);
      smtp = await startSmtp();
      const summary = await send(db, smtp);
      expect(summary.sent).toBeGreaterThan(0);
      const emails = new Set((await db.all(`SELECT lower(email) AS e FROM staff`)).map((r) => String(r['e'])));
      for (const m of smtp.messages) {
        expect(m.to).toHaveLength(1);
        expect(emails.has(m.to[0]!.toLowerCase())).toBe(true);
        const parsed = await simpleParser(m.raw);
        const to = parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : [];
        expect(to.map((a) => a.address)).toEqual([m.to[0]]);
      }
      expect(smtp.messages.flatMap((m) => m.to)).not.toContain('spy@evil.example');
    });
  });
});
