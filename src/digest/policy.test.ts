import { tempDir } from '../testing/temp-dir.js';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../core/config.js';
import type { Warehouse } from '../db/warehouse.js';
import { loadCatalogue } from '../features/index.js';
import { buildSchool, insertRows, schoolStaff, student } from '../testing/school.js';
import { startSmtp, type TestSmtp } from '../testing/smtp.js';
import { testEffects, withWarehouse } from '../testing/warehouse.js';
import { loadRules, runTriggers } from '../triggers/index.js';
import { defaultDigestPolicy, sendDigests, smtpMailer, type DigestPolicy } from './index.js';

/**
 * The send policy over real SMTP, on a small school: a digest goes out on a day with something
 * new or escalated for that person, unchanged items are only counted, and the weekly reminder
 * (Monday) repeats every open item; at most max_items are shown in full.
 */
let smtp: TestSmtp | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

const base = 'https://kiinni.koulu.example.fi';

async function school(db: Warehouse): Promise<void> {
  await buildSchool(db, [student('S1', { given_name: 'Aino', family_name: 'Virtanen' }), student('S2'), student('S3', { group: 'G1' })]);
  await insertRows(db, 'attendance', ['2025-09-29', '2025-10-06'].map((date) => ({ student_id: 'S1', date, lessons_scheduled: 30, absent_excused: 0, absent_unexcused: 9, late: 0 })));
  await insertRows(db, 'wellbeing', [{ student_id: 'S3', answered_at: '2025-10-14 19:40:00', source: 'check-in', item: 'need', value: null, need_help: true, need_category: 'studies' }]);
}

async function day(db: Warehouse, asOf: string, policy: DigestPolicy = defaultDigestPolicy) {
  const rules = await loadRules(defaultConfig());
  await runTriggers(db, rules, { asOf }, testEffects);
  const before = smtp!.messages.length;
  const mailer = smtpMailer(defaultConfig(), { KIINNI_SMTP_URL: smtp!.url })!;
  try {
    const summary = await sendDigests(db, { asOf, from: 'kiinni <kiinni@koulu.example.fi>', sendEmpty: false, retry: { attempts: 2, backoffMs: 1 } }, { rules: new Map(rules.map((r) => [r.id, r])), features: loadCatalogue(), policy }, { ...testEffects, mailer, workspaceUrl: base, journalDir: tempDir() });
    const mails = await Promise.all(smtp!.messages.slice(before).map(async (m) => ({ to: m.to[0]!, parsed: await simpleParser(m.raw) })));
    return { summary, mails };
  } finally {
    mailer.close();
  }
}

const email = async (db: Warehouse, role: string) => String((await db.one(`SELECT email FROM staff WHERE staff_id = $id`, { id: schoolStaff[role]! }))!['email']);

describe('digest send policy', () => {
  it('full on the first day, nothing when nothing changed, then only what is new or escalated for each person', async () => {
    await withWarehouse(async (db) => {
      smtp = await startSmtp();
      await school(db);
      // Wednesday: the first digest of each person is whole.
      const wed = await day(db, '2025-10-15');
      expect(wed.mails.length).toBeGreaterThanOrEqual(2);
      const counsellor = await email(db, 'guidance_counsellor');
      // Thursday: nothing new for anyone → no message at all, each counted as unchanged.
      const thu = await day(db, '2025-10-16');
      expect(thu.mails).toHaveLength(0);
      expect(thu.summary.unchanged_not_sent).toBe(wed.mails.length);
      // Friday: S2 asks for help with studies (new for the counsellor), and S3's help request of
      // Tuesday, unanswered, escalates to the special-needs teacher; the supervisor's items are
      // unchanged, so the supervisor gets nothing.
      await insertRows(db, 'wellbeing', [{ student_id: 'S2', answered_at: '2025-10-17 08:10:00', source: 'check-in', item: 'need', value: null, need_help: true, need_category: 'studies' }]);
      const fri = await day(db, '2025-10-17');
      const specialNeeds = await email(db, 'special_needs_teacher');
      expect(fri.mails.map((m) => m.to).sort()).toEqual([counsellor, specialNeeds].sort());
      const newText = fri.mails.find((m) => m.to === counsellor)!.parsed.text!;
      expect(newText).toMatch(/\b1 uusi, 0 eskaloitunutta, \d+ ennallaan\./);
      expect(newText).toContain(`${base}/students/S2`);
      expect(newText).not.toMatch(/kiinni (triggers|interventions) /);
      expect(fri.mails.find((m) => m.to === specialNeeds)!.parsed.text!).toMatch(/\b0 uutta, 1 eskaloitunut, 0 ennallaan\./);
      expect(fri.summary.unchanged_not_sent).toBeGreaterThanOrEqual(1);
    });
  });

  it('repeats every open item on the reminder day even when nothing changed', async () => {
    await withWarehouse(async (db) => {
      smtp = await startSmtp();
      await school(db);
      const wed = await day(db, '2025-10-15');
      const thu = await day(db, '2025-10-16', { maxItems: 20, reminderWeekday: 'thursday' });
      expect(thu.summary.unchanged_not_sent).toBe(0);
      expect(thu.mails.map((m) => m.to).sort()).toEqual(wed.mails.map((m) => m.to).sort());
      for (const m of thu.mails) {
        expect(m.parsed.text).toMatch(/\b0 uutta, 0 eskaloitunutta, [1-9]\d* ennallaan\./);
        const before = wed.mails.find((x) => x.to === m.to)!.parsed.text!;
        for (const link of before.match(new RegExp(`${base}/triggers/\\w+`, 'g')) ?? []) expect(m.parsed.text).toContain(link);
      }
    });
  });

  it('shows at most max_items in full and counts the rest with a link', async () => {
    await withWarehouse(async (db) => {
      smtp = await startSmtp();
      await school(db);
      await insertRows(db, 'wellbeing', [{ student_id: 'S2', answered_at: '2025-10-15 08:10:00', source: 'check-in', item: 'need', value: null, need_help: true, need_category: 'studies' }]);
      const { mails } = await day(db, '2025-10-15', { maxItems: 1, reminderWeekday: 'none' });
      const counsellor = await email(db, 'guidance_counsellor');
      const text = mails.find((m) => m.to === counsellor)!.parsed.text!;
      expect(text.match(new RegExp(`${base}/triggers/`, 'g'))).toHaveLength(1);
      expect(text).toMatch(new RegExp(`[1-9]\\d* (muu|muuta) avoin.* työtilassasi: ${base}/|[1-9]\\d* more open triggers? in your workspace: ${base}/|[1-9]\\d* öppna? signal`));
    });
  });
});
