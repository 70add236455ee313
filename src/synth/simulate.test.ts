import { describe, expect, it } from 'vitest';
import { Random } from '../core/random.js';
import { formatDay, parseDay } from './calendar.js';
import { attendableWeeks, drawBackground, simulateStudent, studyPlan, type CohortWindow, type StudentOutput } from './simulate.js';
import { ProviderStructure } from './structure.js';

const win: CohortWindow = { seed: 9, start: parseDay('2024-08-01'), end: parseDay('2026-06-01'), firstCohortYear: 2022, lastCohortYear: 2025 };
const org = new ProviderStructure(400, 9);
const empty = (): StudentOutput => ({
  students: [], study_right_events: [], course_progress: [], attendance: [], wellbeing: [], interventions: [], assignments: [],
  truthStudent: [], truthWeekly: [], truthInterventions: [], checkinCandidates: [], checkinPlans: [], truthCheckins: [],
});

describe('simulateStudent, phase by phase', () => {
  it('background: one students row and a start event, the plan ends after the start, a counsellor assigned from the start', () => {
    for (let i = 0; i < 50; i++) {
      const out = empty();
      const s = drawBackground(new Random(win.seed, i), i, win, org, out);
      expect(out.students).toHaveLength(1);
      expect(out.study_right_events).toEqual([[s.id, out.students[0]![5], 'started', null]]);
      expect(s.plannedEnd).toBeGreaterThan(s.startMonday);
      expect(out.assignments[0]!.slice(0, 3)).toEqual([s.counsellor, 'guidance_counsellor', s.id]);
    }
  });

  it('weeks and plan: school weeks from the start to the export date; the plan carries at least the credits a qualification needs', () => {
    for (let i = 0; i < 50; i++) {
      const s = drawBackground(new Random(win.seed, i), i, win, org, empty());
      const weeks = attendableWeeks(s, win);
      for (const w of weeks) expect(w.monday >= s.startMonday && w.monday < win.end).toBe(true);
      const plan = studyPlan(s, weeks);
      expect(plan.required).toBe(s.voc ? 180 : 150);
      expect(plan.courses.reduce((a, c) => a + c.credits, 0)).toBeGreaterThanOrEqual(plan.required);
      for (const c of plan.courses) expect(c.plannedEnd).toBeGreaterThan(c.plannedStart);
    }
  });

  it('the whole student: deterministic for (seed, i), nothing dated on or after the export date', () => {
    for (let i = 0; i < 30; i++) {
      const a = simulateStudent(i, win, org);
      expect(simulateStudent(i, win, org)).toEqual(a);
      const end = formatDay(win.end);
      for (const r of [...a.attendance, ...a.study_right_events]) expect(String(r[1]) < end).toBe(true);
      for (const r of a.interventions) expect(String(r[4]) < end).toBe(true);
    }
  });
});
