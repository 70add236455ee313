import { describe, expect, it } from 'vitest';
import { msg } from '../i18n/index.js';
import { bandDisagreement } from './routes/students.js';

describe('risk band against trigger severity', () => {
  it('names the disagreement both ways, and stays quiet when they agree or there is no band', () => {
    const live = (severity: string) => ({ status: 'open', severity });
    expect(bandDisagreement('high', [live('medium')])).toBe('band_higher');
    expect(bandDisagreement('raised', [live('high')])).toBe('severity_higher');
    expect(bandDisagreement('high', [live('high')])).toBeNull();
    expect(bandDisagreement('high', [])).toBeNull();
    expect(bandDisagreement('high', [{ status: 'resolved', severity: 'medium' }])).toBeNull();
    expect(bandDisagreement(undefined, [live('high')])).toBeNull();
    expect(msg('fi', 'web.band_vs_severity', { direction: 'severity_higher', band: 'kohonnut' })).toMatch(/^Heräte on kiireellinen, vaikka riskiarvio on kohonnut: /);
    expect(msg('sv', 'web.band_vs_severity', { direction: 'band_higher', band: 'hög' })).toMatch(/^Riskbedömningen är hög fast signalerna är mindre brådskande: /);
  });
});

describe('the student timeline\'s data', () => {
  it('in one round trip equals the three sources read one by one (the bundled cohort, students with and without well-being)', async () => {
    const { withCohortWarehouse } = await import('../testing/warehouse.js');
    const { studentTimeline } = await import('./queries.js');
    const { addMonths } = await import('../core/dates.js');
    await withCohortWarehouse(async (db) => {
      // The twelve months are picked in code: the same days as SQL's interval arithmetic.
      for (const day of ['2024-02-29', '2025-03-31', '2026-01-31', '2025-12-31', '2026-02-20', '2024-01-01']) {
        for (const months of [-12, -11, -1, 1]) {
          const sql = await db.one(`SELECT strftime(($day::DATE + $months * INTERVAL 1 MONTH)::DATE, '%Y-%m-%d') AS d`, { day, months });
          expect(addMonths(day, months), `${day} ${months}`).toBe(sql?.['d']);
        }
      }
      const today = '2026-02-20';
      const ids = (await db.all(`SELECT student_id FROM students ORDER BY student_id LIMIT 12`)).map((r) => String(r['student_id']));
      for (const id of ids) {
        const p = { id, today };
        const attendance = await db.all(
          `SELECT strftime(date_trunc('week', date), '%Y-%m-%d') AS week, sum(absent_unexcused) / sum(lessons_scheduled) AS unexcused, sum(absent_excused) / sum(lessons_scheduled) AS excused
           FROM attendance WHERE student_id = $id AND date > $today::DATE - INTERVAL 12 MONTH AND date <= $today::DATE AND lessons_scheduled > 0 GROUP BY 1 ORDER BY 1`, p);
        const credits = await db.all(
          `WITH months AS (SELECT CAST(m AS DATE) AS m FROM range(date_trunc('month', $today::DATE - INTERVAL 11 MONTH), $today::DATE + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)),
           ends AS (SELECT least(m + INTERVAL 1 MONTH - INTERVAL 1 DAY, $today::DATE)::DATE AS d FROM months)
           SELECT strftime(e.d, '%Y-%m-%d') AS month, coalesce(sum(c.credits) FILTER (WHERE c.status = 'completed' AND c.completed_on <= e.d), 0) AS earned,
             coalesce(sum(c.credits) FILTER (WHERE c.planned_end <= e.d AND c.course_id NOT LIKE '%#%'), 0) AS planned
           FROM ends e LEFT JOIN course_progress c ON c.student_id = $id GROUP BY e.d ORDER BY e.d`, p);
        const wellbeing = await db.all(
          `SELECT strftime(answered_at, '%Y-%m-%d') AS day, value FROM wellbeing WHERE student_id = $id AND value IS NOT NULL AND answered_at::DATE > $today::DATE - INTERVAL 12 MONTH AND answered_at::DATE <= $today::DATE ORDER BY answered_at`, p);
        const t = await studentTimeline(db, id, today, true);
        expect(t.attendance, id).toEqual(attendance.map((r) => ({ week: String(r['week']), unexcused: Number(r['unexcused']), excused: Number(r['excused']) })));
        expect(t.credits, id).toEqual(credits.map((r) => ({ month: String(r['month']), earned: Number(r['earned']), planned: Number(r['planned']) })));
        expect(t.wellbeing.map((w) => w.value), id).toEqual(wellbeing.map((r) => Number(r['value'])));
        expect(t.wellbeing.map((w) => w.day), id).toEqual(wellbeing.map((r) => String(r['day'])));
        expect((await studentTimeline(db, id, today, false)).wellbeing).toEqual([]);
      }
    });
  });
});

describe('the caseload\'s last visit', () => {
  it('is the same day whether read back from the audit log or known from the visit just recorded (near midnight too)', async () => {
    const { withWarehouse } = await import('../testing/warehouse.js');
    const { lastCaseloadVisit, visitDay } = await import('./queries.js');
    const { recordAudit } = await import('./audit.js');
    await withWarehouse(async (db) => {
      for (const at of ['2026-02-18T21:59:59.999Z', '2026-02-18T22:00:00.000Z', '2026-02-18T23:59:59.999Z', '2026-02-19T00:00:00.001Z']) {
        const now = new Date(at);
        await recordAudit(db, { staff_id: 'H1', action: 'viewed_triggers' }, now);
        expect(await lastCaseloadVisit(db, 'H1'), at).toBe(visitDay(now));
      }
    });
  });
});
