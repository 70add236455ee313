import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../core/config.js';
import type { Warehouse } from '../db/warehouse.js';
import { loadCatalogue } from '../features/index.js';
import { expectGolden } from '../testing/golden.js';
import { buildSchool, insertRows, schoolStaff, student } from '../testing/school.js';
import { testEffects, withWarehouse } from '../testing/warehouse.js';
import { loadRules, runTriggers } from '../triggers/index.js';
import { composeDigest, findRecipient, renderDigest } from './index.js';
import { renderDigestByJuice } from './render.js';

/**
 * A small school on Wednesday 15 Oct 2025: S1 (named) is often absent and scored high for
 * absences and a drop in mood; S2 asked the nurse for help; S3 asked for help with studies.
 * One digest per role and language is compared with its golden file.
 */
async function school(db: Warehouse): Promise<void> {
  await buildSchool(db, [student('S1', { given_name: 'Aino', family_name: 'Virtanen' }), student('S2'), student('S3', { group: 'G1' })]);
  await insertRows(db, 'attendance', ['2025-09-29', '2025-10-06'].map((date) => ({ student_id: 'S1', date, lessons_scheduled: 30, absent_excused: 0, absent_unexcused: 9, late: 0 })));
  await insertRows(db, 'wellbeing', [
    { student_id: 'S2', answered_at: '2025-10-15 08:10:00', source: 'check-in', item: 'need', value: null, need_help: true, need_category: 'health' },
    { student_id: 'S3', answered_at: '2025-10-14 19:40:00', source: 'check-in', item: 'need', value: null, need_help: true, need_category: 'studies' },
  ]);
  await db.run(`INSERT INTO model_versions VALUES ('m1', '2025-10-01 00:00:00', '2025-09-30', 90, 'current', 0.75, 0.1, 0.05, 0.01, '/tmp/none', NULL, NULL)`);
  const reasons = [
    { feature: 'unexcused_rate_2w', family: 'performance', sensitivity: 'ordinary', contribution: 0.04 },
    { feature: 'mood_change', family: 'wellbeing', sensitivity: 'welfare', contribution: 0.03 },
    { feature: 'prior_gpa', family: 'background', sensitivity: 'ordinary', contribution: 0.01 },
  ];
  await db.run(`INSERT INTO risk_scores VALUES ('S1', '2025-10-13', 'm1', 0.31, 'high', 1, $r, '2025-10-13 05:00:00')`, { r: JSON.stringify(reasons) });
  const rules = await loadRules(defaultConfig());
  await runTriggers(db, rules, { asOf: '2025-10-15' }, testEffects);
}

const cases = [
  { role: 'group_supervisor', language: 'fi' },
  { role: 'guidance_counsellor', language: 'sv' },
  { role: 'nurse', language: 'en' },
] as const;

describe('digest rendering', () => {
  it.each(cases)('the $role digest in $language matches its golden text and HTML', async ({ role, language }) => {
    await withWarehouse(async (db) => {
      await school(db);
      await db.run(`UPDATE staff SET language = $l WHERE staff_id = $id`, { l: language, id: schoolStaff[role]! });
      const rules = await loadRules(defaultConfig());
      const ctx = { rules: new Map(rules.map((r) => [r.id, r])), features: loadCatalogue() };
      const digest = await composeDigest(db, await findRecipient(db, schoolStaff[role]!), '2025-10-15', ctx);
      const rendered = renderDigest(digest);
      expectGolden(`digest/${role}-${language}.txt`, `Subject: ${rendered.subject}\n\n${rendered.text}`);
      expectGolden(`digest/${role}-${language}.html`, rendered.html);
      // The styles put in place are exactly what juice inlines when run over the whole message, with
      // links and without, and with markup-like characters in the words.
      for (const workspaceUrl of [undefined, 'https://kiinni.example.fi']) {
        expect(renderDigest(digest, { workspaceUrl }).html).toBe(renderDigestByJuice(digest, { workspaceUrl }).html);
        const odd = { ...digest, recipient: { ...digest.recipient, name: `O'Brien & "Ä" <b>` } };
        odd.students = odd.students.map((st) => ({ ...st, group: `${st.group} <&>`, items: st.items.map((i) => ({ ...i, in_full: true, trigger: { ...i.trigger, message: `${i.trigger.message} "x" & <y>` } })) }));
        expect(renderDigest(odd, { workspaceUrl, signIn: { url: 'https://kiinni.example.fi/auth/link?token=a&b', hours: 24 } }).html).toBe(
          renderDigestByJuice(odd, { workspaceUrl, signIn: { url: 'https://kiinni.example.fi/auth/link?token=a&b', hours: 24 } }).html,
        );
      }
      // Accessible HTML: a language, one h1, a heading per student, tables with header cells.
      expect(rendered.html).toContain(`<html lang="${language}">`);
      expect(rendered.html.match(/<h1[ >]/g)).toHaveLength(1);
      expect(rendered.html.match(/<th scope="col"/g)!.length).toBeGreaterThanOrEqual(4);
      expect(rendered.html).not.toMatch(/<img/);
      if (role === 'group_supervisor') {
        // The supervisor learns S1 would benefit from contact, with the ordinary reasons only, no band.
        expect(rendered.text).toContain('Aino Virtanen');
        expect(rendered.text).not.toMatch(/[Vv]ointi|S2|S3/);
        expect(digest.students.every((s) => s.risk === null)).toBe(true);
      }
      if (role === 'guidance_counsellor') expect(digest.students.find((s) => s.student_id === 'S1')?.risk).toMatchObject({ band: 'high' });
    });
  });

  it('as staff e-mail (web.base_url set): a link on every trigger and student, no command lines, borders without <style>', async () => {
    await withWarehouse(async (db) => {
      await school(db);
      const rules = await loadRules(defaultConfig());
      const ctx = { rules: new Map(rules.map((r) => [r.id, r])), features: loadCatalogue() };
      const digest = await composeDigest(db, await findRecipient(db, schoolStaff['group_supervisor']!), '2025-10-15', ctx);
      const base = 'https://kiinni.koulu.example.fi';
      const rendered = renderDigest(digest, { workspaceUrl: base, signIn: { url: `${base}/auth/link?token=t`, hours: 18 } });
      expectGolden('digest/group_supervisor-fi-staff.txt', `Subject: ${rendered.subject}\n\n${rendered.text}`);
      expectGolden('digest/group_supervisor-fi-staff.html', rendered.html);
      for (const part of [rendered.text, rendered.html]) {
        expect(part).not.toMatch(/kiinni (triggers|interventions) /);
        for (const i of digest.students.flatMap((s) => s.items)) expect(part).toContain(`${base}/triggers/${i.trigger.id}`);
        expect(part).toContain(`${base}/students/S1`);
      }
      expect(rendered.text).toContain('2 uutta, 0 eskaloitunutta, 0 ennallaan.');
      // A client that drops <style> still draws the cell borders: they are inline on every cell.
      const stripped = rendered.html.replace(/<style>[\s\S]*?<\/style>/g, '');
      const cells = stripped.match(/<t[dh] [^>]*>/g)!;
      expect(cells.length).toBeGreaterThan(8);
      for (const c of cells) expect(c).toMatch(/border: ?1px solid/);
      // Sentences sit in ordinary cells, not in bold centred header cells.
      expect(stripped).toMatch(/<td[^>]*>Selvittämättömiä poissaoloja kahden/);
    });
  });
});

