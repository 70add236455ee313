import { describe, expect, it } from 'vitest';
import type { Warehouse } from '../db/warehouse.js';
import { withCohortWarehouse } from '../testing/warehouse.js';
import { loadCatalogue } from './catalogue.js';
import { featureMatrix } from './matrix.js';
import { attendanceLagDays, panelSql } from './panel.js';

const AS_OF = '2025-10-15';

async function matrixAt(db: Warehouse, asOf: string) {
  await db.run(panelSql('_t_panel', 'SELECT $as_of::DATE AS as_of'), { as_of: asOf, horizon: 90 });
  const m = await featureMatrix(db, '_t_panel', loadCatalogue(), await attendanceLagDays(db));
  // The label looks ahead on purpose; features must not.
  return m.student_id.map((id, i) => ({ student_id: id, as_of: m.as_of[i], ...Object.fromEntries(Object.entries(m.features).map(([name, col]) => [name, col[i]])) }) as Record<string, unknown>);
}

describe('point-in-time features', () => {
  it('has a valid catalogue: 30–60 features from every metric family, welfare ones marked', () => {
    const c = loadCatalogue();
    expect(c.length).toBeGreaterThanOrEqual(30);
    expect(c.length).toBeLessThanOrEqual(60);
    expect(new Set(c.map((f) => f.family))).toEqual(new Set(['background', 'performance', 'wellbeing', 'engagement']));
    expect(c.filter((f) => f.family === 'wellbeing').every((f) => f.sensitivity === 'welfare')).toBe(true);
  });

  it('does not change when anything not yet known on the date is perturbed (no leakage)', async () => {
    await withCohortWarehouse(async (db) => {
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
});
