import { describe, expect, it } from 'vitest';
import { buildSchool, insertRows, student } from '../testing/school.js';
import { withWarehouse } from '../testing/warehouse.js';
import { yearlyMetricsSql } from './metrics.js';

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
});
