import { describe, expect, it } from 'vitest';
import { buildSchool, insertRows, student } from '../testing/school.js';
import { withWarehouse } from '../testing/warehouse.js';
import { yearlyMetricsSql } from './metrics.js';
import { checkinTable } from './tables.js';

/**
 * Six students, hand-counted (as of 15 Oct 2025, census day 20 Sep, 90 days' grace):
 * S1 resigns Jan 2025; S2 graduates on time May 2025; S3 transfers Mar 2025; S4 starts after the
 * census day and resigns (not counted in 2024–25); S5 (from 2023) graduates late in Sep 2025;
 * S6 studies on in another unit.
 */
describe('yearly metrics (national model, Statistics Finland style)', () => {
  it('match hand-computed counts', async () => {
    await withWarehouse(async (db) => {
      await buildSchool(db, [
        student('S1', { study_right_start: '2024-08-12' }),
        student('S2', { study_right_start: '2024-08-12', planned_end: '2025-05-31' }),
        student('S3', { study_right_start: '2024-08-12' }),
        student('S4', { study_right_start: '2024-10-01' }),
        student('S5', { study_right_start: '2023-08-14', planned_end: '2025-05-31' }),
        student('S6', { study_right_start: '2024-08-12', unit: 'Vallila' }),
      ]);
      await insertRows(db, 'study_right_events', [
        { student_id: 'S1', date: '2025-01-10', event: 'resigned', reason: null },
        { student_id: 'S2', date: '2025-05-31', event: 'graduated', reason: null },
        { student_id: 'S3', date: '2025-03-01', event: 'transferred', reason: null },
        { student_id: 'S4', date: '2025-02-01', event: 'resigned', reason: null },
        { student_id: 'S5', date: '2025-09-30', event: 'graduated', reason: null },
      ]);
      await insertRows(db, 'course_progress', [
        { student_id: 'S2', course_id: 'A', credits: 10, planned_start: '2025-01-01', planned_end: '2025-05-01', status: 'completed', grade: '3', completed_on: '2025-04-30', updated_at: '2025-04-30 12:00:00' },
        { student_id: 'S6', course_id: 'B', credits: 20, planned_start: '2025-01-01', planned_end: '2025-03-01', status: 'in_progress', grade: null, completed_on: null, updated_at: '2025-03-01 12:00:00' },
      ]);
      await insertRows(db, 'attendance', [{ student_id: 'S6', date: '2025-03-03', lessons_scheduled: 30, absent_excused: 3, absent_unexcused: 2, late: 0 }]);
      const p = { as_of: '2025-10-15', grace_days: 90 };
      const provider = await db.all(yearlyMetricsSql('provider'), p);
      expect(provider.map((r) => [r['academic_year'], r['present'], r['negative_exits'], r['graduated'], r['transferred'], r['due_to_finish'], r['finished_on_time']])).toEqual([
        ['2023–24', 1, 0, 0, 0, 0, 0],
        ['2024–25', 5, 1, 1, 1, 2, 1],
        ['2025–26', 2, 0, 1, 0, 0, 0],
      ]);
      expect(provider[1]).toMatchObject({ credits_earned: 10, credits_planned: 30, lessons: 30, absent_excused: 3, absent_unexcused: 2, year_in_progress: false });
      expect(provider[2]).toMatchObject({ year_in_progress: true });
      const units = await db.all(yearlyMetricsSql('unit'), p);
      expect(units.filter((r) => r['academic_year'] === '2024–25').map((r) => [r['value'], r['present'], r['negative_exits']])).toEqual([
        ['Pasila', 4, 1],
        ['Vallila', 1, 0],
      ]);
    });
  });

  it('check-ins: response and help-request rates and days to contact, hand-counted', async () => {
    await withWarehouse(async (db) => {
      const ids = Array.from({ length: 20 }, (_, i) => `S${i + 1}`);
      await buildSchool(db, ids.map((id) => student(id)));
      // Twenty check-ins on 1 Oct; fifteen answered within 3 days, six of them asked for help;
      // they were contacted 1, 2, 2, 3, 6 and 8 days later (median 2.5).
      for (const id of ids) await db.run(`INSERT INTO checkin_plans VALUES ('2025-10-01', $id, 'third_week', 'start_of_studies', 'Pasila', now()::TIMESTAMP)`, { id });
      await insertRows(db, 'wellbeing', ids.slice(0, 15).map((id, i) => ({ student_id: id, answered_at: '2025-10-02 18:00:00', source: 'check-in', item: 'want_contact', value: null, need_help: i < 6, need_category: i < 6 ? 'studies' : null })));
      await insertRows(db, 'interventions', [1, 2, 2, 3, 6, 8].map((d, i) => ({ intervention_id: `I${i}`, student_id: ids[i]!, staff_id: 'H-COUNS', role: 'guidance_counsellor', date: `2025-10-${String(2 + d).padStart(2, '0')}`, type: 'contact', scope: 'individual', trigger_id: null })));
      const t = await checkinTable(db, { asOf: '2025-10-15', minCell: 5, graceDays: 90, unit: undefined });
      expect(t.rows.find((r) => r['dimension'] === 'bottleneck')).toEqual({ dimension: 'bottleneck', value: 'third_week', checkins: 20, students: 20, response_rate: 0.75, help_request_rate: 6 / 15, median_days_to_contact: 2.5 });
    });
  });
});

describe('yearly metrics in one pass', () => {
  it('the finest rows summed to each breakdown equal that breakdown\'s own query, on the bundled cohort', async () => {
    const { withCohortWarehouse } = await import('../testing/warehouse.js');
    const { rollUp } = await import('./tables.js');
    await withCohortWarehouse(async (db) => {
      const params = { as_of: '2026-02-20', grace_days: 90 };
      const rolled = rollUp(await db.all(yearlyMetricsSql('finest'), params));
      const fields = ['academic_year', 'value', 'present', 'negative_exits', 'graduated', 'transferred', 'due_to_finish', 'finished_on_time', 'credits_earned', 'credits_planned', 'lessons', 'absent_excused', 'absent_unexcused', 'year_in_progress'];
      const shape = (rows: readonly Record<string, unknown>[]) => rows.map((r) => fields.map((f) => (typeof r[f] === 'number' || typeof r[f] === 'bigint' ? Number(r[f]) : r[f])).join('|')).sort();
      for (const d of ['provider', 'education_type', 'unit', 'programme', 'group'] as const) {
        const direct = await db.all(yearlyMetricsSql(d), params);
        expect(direct.length, d).toBeGreaterThan(0);
        expect(shape(rolled.get(d)!), d).toEqual(shape(direct));
      }
    });
  });
});
