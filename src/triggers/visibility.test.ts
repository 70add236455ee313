import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../core/config.js';
import { loadCatalogue, type FeatureSpec } from '../features/index.js';
import { composeDigest, findRecipient, renderDigest } from '../digest/index.js';
import { buildSchool, insertRows, schoolStaff, student } from '../testing/school.js';
import { welfareMarkers } from '../testing/welfare.js';
import { testEffects, withWarehouse } from '../testing/warehouse.js';
import { languages, listInterventions, listTriggers, loadRules, resolveViewer, runTriggers, showTrigger, type TriggerRule, type ViewContext } from './index.js';

/**
 * Property: whatever the data, nothing a non-welfare role can get out of the trigger layer
 * (lists, a single trigger, interventions, the daily digest, in any language) carries a welfare item, value,
 * rule or reason. Student Welfare Act 1287/2013.
 */
const welfareItems = ['sleep_quality', 'loneliness', 'housing_worry', 'stress_level', 'mood'] as const;
const categories = ['studies', 'wellbeing', 'health', 'life_situation', null] as const;
const allRoles = ['teacher', 'group_supervisor', 'guidance_counsellor', 'special_needs_teacher', 'social_worker', 'psychologist', 'nurse'] as const;
const days = ['2025-10-13', '2025-10-14', '2025-10-15'];

const answerArb = fc.record({
  day: fc.integer({ min: 0, max: 120 }),
  item: fc.constantFrom(...welfareItems),
  value: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
  needHelp: fc.boolean(),
  category: fc.constantFrom(...categories),
});
const studentArb = fc.record({
  answers: fc.array(answerArb, { maxLength: 12 }),
  failed: fc.boolean(),
  unexcused: fc.integer({ min: 0, max: 15 }),
  band: fc.constantFrom('low', 'raised', 'high', null),
  reasons: fc.subarray(['mood_last', 'mood_change', 'survey_wellbeing', 'help_requests_90d', 'unexcused_rate_2w', 'credits_behind_plan', 'failed_units'], { minLength: 1 }),
  interventionBy: fc.option(fc.constantFrom(...allRoles), { nil: null }),
});
const schoolArb = fc.array(studentArb, { minLength: 2, maxLength: 5 });

let rules: TriggerRule[];
let features: FeatureSpec[];
let forbidden: string[];
let welfareSeen = 0;
beforeAll(async () => {
  rules = await loadRules(defaultConfig());
  features = loadCatalogue();
  forbidden = [...welfareItems, ...welfareMarkers(rules, features)];
});

const day = (offset: number) => new Date(Date.UTC(2025, 9, 15) - offset * 86_400_000).toISOString().slice(0, 10);

describe('role-based minimisation (property)', () => {
  it('no output for a non-welfare role contains a welfare item, value, rule or reason', async () => {
    await fc.assert(
      fc.asyncProperty(schoolArb, async (school) => {
        await withWarehouse(async (db) => {
          const ids = school.map((_, i) => `S${i + 1}`);
          await buildSchool(db, ids.map((id) => student(id, { study_right_start: '2025-03-03' })));
          await db.run(`INSERT INTO model_versions VALUES ('m1', now()::TIMESTAMP, '2025-10-01', 90, 'current', 0.75, 0.1, 0.05, 0.01, '/tmp/none', NULL, NULL)`);
          for (const [i, s] of school.entries()) {
            const id = ids[i]!;
            await insertRows(db, 'wellbeing', s.answers.map((a, k) => ({
              student_id: id, answered_at: `${day(a.day)} 10:${String(k).padStart(2, '0')}:00`, source: 'check-in', item: a.item,
              value: a.value ?? (a.needHelp ? null : 3), need_help: a.needHelp, need_category: a.needHelp ? a.category : null,
            })));
            if (s.failed) await insertRows(db, 'course_progress', [{ student_id: id, course_id: 'C1', credits: 5, planned_start: '2025-08-11', planned_end: '2025-10-10', status: 'failed', grade: null, completed_on: null, updated_at: '2025-10-10 12:00:00' }]);
            await insertRows(db, 'attendance', ['2025-09-29', '2025-10-06'].map((date) => ({ student_id: id, date, lessons_scheduled: 30, absent_excused: 0, absent_unexcused: s.unexcused, late: 0 })));
            if (s.band) {
              const reasons = s.reasons.map((f) => ({ feature: f, family: features.find((x) => x.name === f)!.family, sensitivity: features.find((x) => x.name === f)!.sensitivity, contribution: 0.05 }));
              await db.run(`INSERT INTO risk_scores VALUES ($id, '2025-10-13', 'm1', 0.4, $band, 1, $reasons, now()::TIMESTAMP)`, { id, band: s.band, reasons: JSON.stringify(reasons) });
            }
            if (s.interventionBy) {
              await insertRows(db, 'interventions', [{ intervention_id: `I${i}`, student_id: id, staff_id: schoolStaff[s.interventionBy]!, role: s.interventionBy, date: '2025-10-01', type: 'meeting', scope: 'individual', trigger_id: null }]);
            }
          }
          for (const d of days) await runTriggers(db, rules, { asOf: d }, testEffects);

          for (const lang of languages) {
            const ctx: ViewContext = { rules: new Map(rules.map((r) => [r.id, r])), features, lang };
            // Positive control: welfare roles do see welfare triggers when the data makes them.
            welfareSeen += (await listTriggers(db, { roles: ['nurse', 'social_worker', 'psychologist'] }, {}, ctx)).filter((t) => t.family === 'wellbeing').length;
            for (const role of ['teacher', 'group_supervisor', 'guidance_counsellor', 'special_needs_teacher', 'data_coordinator', 'leadership'] as const) {
              for (const opts of [{ role }, { staff: schoolStaff[role] }, { role, staff: schoolStaff[role] }]) {
                const viewer = await resolveViewer(db, opts);
                const views = await listTriggers(db, viewer, {}, ctx);
                const mine = await listTriggers(db, viewer, opts, ctx);
                const shown = await Promise.all(views.map((v) => showTrigger(db, v.id, viewer, ctx)));
                const support = await listInterventions(db, viewer, {});
                // The digest the staff member would receive (in this language), both parts.
                const recipient = { ...(await findRecipient(db, schoolStaff[role]!)), language: lang };
                const digest = renderDigest(await composeDigest(db, recipient, days.at(-1)!, ctx));
                const out = JSON.stringify({ views, mine, shown, support, digest });
                for (const word of forbidden) expect(out, `${role} ${JSON.stringify(opts)} ${lang}`).not.toContain(word);
                if (role === 'teacher' || role === 'group_supervisor') {
                  expect(out).not.toContain('risk_probability');
                  expect(out).not.toContain('help_request_studies');
                }
                if (role === 'leadership') expect(views).toEqual([]);
              }
            }
          }
        });
      }),
      { numRuns: 8, seed: 20261123 },
    );
    expect(welfareSeen).toBeGreaterThan(0);
  });
});
