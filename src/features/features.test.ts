import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Warehouse } from '../db/warehouse.js';
import { withCohortWarehouse } from '../testing/warehouse.js';
import { loadCatalogue } from './catalogue.js';
import { featureColumns, featureMatrix, type FeatureMatrix } from './matrix.js';
import { attendanceLagDays, panelSql } from './panel.js';

const AS_OF = '2025-10-15';

async function matrixAt(db: Warehouse, asOf: string) {
  await db.run(panelSql('_t_panel', 'SELECT $as_of::DATE AS as_of'), { as_of: asOf, horizon: 90 });
  const m = await featureMatrix(db, '_t_panel', loadCatalogue(), await attendanceLagDays(db));
  // The label looks ahead on purpose; features must not.
  return m.student_id.map((id, i) => ({ student_id: id, as_of: m.as_of[i], ...Object.fromEntries(Object.entries(m.features).map(([name, col]) => [name, col[i]])) }) as Record<string, unknown>);
}

describe('point-in-time features', () => {
  it('has a valid catalogue: 30–60 features from every metric family, welfare ones marked, a reason sentence for each but the context ones', () => {
    const c = loadCatalogue();
    expect(c.length).toBeGreaterThanOrEqual(30);
    expect(c.length).toBeLessThanOrEqual(60);
    expect(new Set(c.map((f) => f.family))).toEqual(new Set(['background', 'performance', 'wellbeing', 'engagement', 'context']));
    expect(c.filter((f) => f.family === 'wellbeing').every((f) => f.sensitivity === 'welfare')).toBe(true);
    expect(c.filter((f) => f.family === 'context').length).toBeGreaterThan(0);
    expect(c.every((f) => (f.reason === null) === (f.family === 'context'))).toBe(true);
  });

  it("refuses a provider's catalogue whose context feature has a reason sentence, or whose other feature lacks one, naming the feature", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiinni-catalogue-'));
    try {
      const words = { fi: 'x', sv: 'x', en: 'x' };
      const write = (feature: Record<string, unknown>) => {
        const file = path.join(dir, 'features.yaml');
        writeFileSync(file, stringify({ features: [{ family: 'context', sensitivity: 'ordinary', sql: '1', description: words, ...feature }] }));
        return file;
      };
      expect(() => loadCatalogue(write({ name: 'own_context', reason: words }))).toThrow(/feature own_context: reason: a context feature .* never a reason/);
      expect(loadCatalogue(write({ name: 'own_context' }))[0]!.reason).toBeNull();
      expect(() => loadCatalogue(write({ name: 'own_rate', family: 'performance' }))).toThrow(/feature own_rate: reason: missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not change when anything not yet known on the date is perturbed (no leakage)', async () => {
    await withCohortWarehouse(async (db) => {
      // Some grades given before the date were changed after it (a grade raised later): the row
      // as it stands was not known on the date, so the rewrite below must not show.
      const raised = await db.run(
        `UPDATE course_progress SET updated_at = $d::TIMESTAMP + INTERVAL 10 DAY
         WHERE completed_on <= $d::DATE AND completed_on > $d::DATE - 40 AND TRY_CAST(grade AS DOUBLE) IS NOT NULL AND hash(student_id, course_id) % 3 = 0`,
        { d: AS_OF },
      );
      expect(raised).toBeGreaterThan(20);
      const before = await matrixAt(db, AS_OF);
      expect(before.length).toBeGreaterThan(300);
      // Rewrite the future: absences, answers, help requests, completions, failures, exits and support.
      // Weekly attendance rows (dated Monday) are known once their week has ended.
      await db.run(`UPDATE attendance SET absent_unexcused = lessons_scheduled, absent_excused = 0, late = 0 WHERE date > $d::DATE - 6`, { d: AS_OF });
      await db.run(`UPDATE wellbeing SET value = 1, need_help = true, need_category = 'health' WHERE answered_at::DATE > $d::DATE`, { d: AS_OF });
      await db.run(`UPDATE course_progress SET completed_on = completed_on + 1, grade = '1' WHERE completed_on > $d::DATE`, { d: AS_OF });
      await db.run(`UPDATE course_progress SET status = 'failed', grade = '4' WHERE updated_at::DATE > $d::DATE`, { d: AS_OF });
      await db.run(`INSERT INTO study_right_events SELECT student_id, $d::DATE + 60, 'resigned', NULL, 'x' FROM students`, { d: AS_OF });
      await db.run(`INSERT INTO study_right_events SELECT student_id, $d::DATE + 2, 'paused', NULL, 'x' FROM students`, { d: AS_OF });
      await db.run(`INSERT INTO interventions SELECT 'F' || student_id, student_id, 'H00001', 'guidance_counsellor', $d::DATE + 1, 'meeting', 'individual', NULL, 'x' FROM students`, { d: AS_OF });
      await db.run(`INSERT INTO attendance SELECT student_id, $d::DATE + 7, 30, 0, 30, 0, 'x' FROM students`, { d: AS_OF });
      const after = await matrixAt(db, AS_OF);
      expect(after).toEqual(before);
      // …while the same perturbation does show up for a later date (the test can fail).
      const later = await matrixAt(db, '2025-11-15');
      expect(later.some((r) => Number(r['unexcused_rate_2w']) === 1)).toBe(true);
    });
  });

  it('takes the well-being features from the answers as their plain statement does, on several dates', async () => {
    await withCohortWarehouse(async (db) => {
      const answers = await db.all(`SELECT student_id, strftime(answered_at::DATE, '%Y-%m-%d') AS day, source, item, value, need_help FROM wellbeing`);
      const byStudent = new Map<string, typeof answers>();
      for (const a of answers) byStudent.set(String(a['student_id']), [...(byStudent.get(String(a['student_id'])) ?? []), a]);
      const days = (a: string, b: string) => (Date.parse(a) - Date.parse(b)) / 86_400_000;
      const avg = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
      let checked = 0;
      for (const asOf of ['2025-09-20', AS_OF, '2026-01-31']) {
        for (const row of await matrixAt(db, asOf)) {
          const known = (byStudent.get(String(row['student_id'])) ?? []).filter((a) => String(a['day']) <= asOf);
          const valuesOn = (source: string, day: string | undefined, item?: string) =>
            known.filter((a) => a['source'] === source && a['day'] === day && (!item || a['item'] === item) && a['value'] !== null).map((a) => Number(a['value']));
          const daysOf = (source: string) => [...new Set(known.filter((a) => a['source'] === source).map((a) => String(a['day'])))].sort().reverse();
          const [lastCheckin] = daysOf('check-in');
          const [lastSurvey, previousSurvey] = daysOf('survey');
          const moodLast = avg(valuesOn('check-in', lastCheckin, 'mood'));
          const baseline = avg(known.filter((a) => a['source'] === 'check-in' && a['item'] === 'mood' && a['value'] !== null && days(asOf, String(a['day'])) >= 56).map((a) => Number(a['value'])));
          const surveyLast = avg(valuesOn('survey', lastSurvey));
          const surveyPrevious = avg(valuesOn('survey', previousSurvey));
          const expected: Record<string, number> = {
            mood_last: moodLast ?? NaN,
            mood_change: moodLast !== null && baseline !== null ? moodLast - baseline : NaN,
            motivation_last: avg(valuesOn('check-in', lastCheckin, 'study_motivation')) ?? NaN,
            survey_wellbeing: surveyLast ?? NaN,
            survey_change: surveyLast !== null && surveyPrevious !== null ? surveyLast - surveyPrevious : NaN,
            help_requests_90d: known.filter((a) => a['need_help'] === true && days(asOf, String(a['day'])) < 90).length,
            days_since_checkin: lastCheckin ? days(asOf, lastCheckin) : 365,
          };
          for (const [name, want] of Object.entries(expected)) {
            const got = Number(row[name]);
            if (Number.isNaN(want)) expect(got, `${name} ${row['student_id']} ${asOf}`).toBeNaN();
            else expect(got, `${name} ${row['student_id']} ${asOf}`).toBeCloseTo(want, 9);
          }
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(600);
    });
  });
});

describe('feature columns of some rows', () => {
  const catalogue = loadCatalogue().slice(0, 3);
  const matrix: FeatureMatrix = {
    rows: 6,
    student_id: ['a', 'b', 'c', 'd', 'e', 'f'],
    as_of: Array<string>(6).fill(AS_OF),
    label: new Int32Array(6),
    features: Object.fromEntries(catalogue.map((f, j) => [f.name, Float64Array.from({ length: 6 }, (_, i) => 10 * j + i)])),
  };
  it.each([
    [[2, 3, 4], true],
    [[0], true],
    [[1, 3, 4], false],
    [[4, 3], false],
    [[2, 2], false],
  ])('rows %j: their values, as views of the matrix when they are one run (%s)', (rows, view) => {
    const cols = featureColumns(matrix, catalogue, rows);
    cols.forEach((col, j) => {
      expect([...col]).toEqual(rows.map((i) => 10 * j + i));
      expect(col.buffer === matrix.features[catalogue[j]!.name]!.buffer).toBe(view);
    });
  });
});
