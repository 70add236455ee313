import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../core/config.js';
import type { Warehouse } from '../db/warehouse.js';
import { buildSchool, insertRows, schoolStaff, student, type Value } from '../testing/school.js';
import { testEffects, withWarehouse } from '../testing/warehouse.js';
import { loadRules, runTriggers, type TriggerRule } from './index.js';

/**
 * One hand-built case per shipped rule: S1 fires it, S2 is a near miss. Run as of Wednesday
 * 2025-10-15; both students started on 2025-08-11 unless the case says otherwise.
 */
const asOf = '2025-10-15';

interface Case {
  rule: string;
  students?: [Record<string, Value>, Record<string, Value>];
  setup?: (db: Warehouse) => Promise<void>;
  role: string;
}

const weeks = (id: string, unexcused: number) =>
  ['2025-09-15', '2025-09-22', '2025-09-29', '2025-10-06', '2025-10-13'].map((date) => ({ student_id: id, date, lessons_scheduled: 30, absent_excused: 0, absent_unexcused: unexcused, late: 0 }));
const course = (id: string, course_id: string, credits: number, status: string, planned_end: string, completed_on: string | null, updated_at = '2025-10-01 12:00:00') => ({
  student_id: id, course_id, credits, planned_start: '2025-08-11', planned_end, status, grade: status === 'completed' ? '3' : null, completed_on, updated_at,
});
const answer = (id: string, at: string, item: string, value: number | null, needHelp: boolean | null = null, category: string | null = null) => ({
  student_id: id, answered_at: at, source: 'check-in', item, value, need_help: needHelp, need_category: category,
});
const help = (category: string | null) => async (db: Warehouse) =>
  insertRows(db, 'wellbeing', [answer('S1', '2025-10-15 09:30:00', 'need', null, true, category), answer('S2', '2025-10-10 09:30:00', 'need', null, true, category)]);

const cases: Case[] = [
  {
    rule: 'entering_background_risk',
    role: 'guidance_counsellor',
    // S1: 3 factors (grade average 6.0, intensified support, an earlier interruption), 25 days in; S2: 2 factors.
    students: [
      student('S1', { study_right_start: '2025-09-20', prior_gpa: 6.0, prior_special_support: 'intensified', prior_interruptions: 1 }),
      student('S2', { study_right_start: '2025-09-20', prior_gpa: 7.0, prior_special_support: 'intensified', prior_interruptions: 1 }),
    ],
  },
  {
    rule: 'unexcused_absences',
    role: 'group_supervisor',
    // Weekly rows: the two weeks known on 15 Oct are those of 29 Sep and 6 Oct. S1 14/60, S2 10/60 (< 12 lessons).
    setup: (db) => insertRows(db, 'attendance', [...weeks('S1', 7), ...weeks('S2', 5)]),
  },
  {
    rule: 'credits_behind_plan',
    role: 'guidance_counsellor',
    // 40 credits planned by now; S1 earned 5 (35 behind), S2 earned 15 (25 behind: under 30).
    setup: (db) =>
      insertRows(db, 'course_progress', [
        course('S1', 'A', 5, 'completed', '2025-09-30', '2025-09-30'), course('S1', 'B', 35, 'in_progress', '2025-10-10', null),
        course('S2', 'A', 15, 'completed', '2025-09-30', '2025-09-30'), course('S2', 'B', 25, 'in_progress', '2025-10-10', null),
      ]),
  },
  {
    rule: 'no_credits_60d',
    role: 'guidance_counsellor',
    // Both had 10 credits planned to end on 30 Sep; S2 completed 5 credits on 1 Oct.
    setup: (db) =>
      insertRows(db, 'course_progress', [
        course('S1', 'A', 10, 'in_progress', '2025-09-30', null), course('S2', 'A', 10, 'in_progress', '2025-09-30', null),
        course('S2', 'B', 5, 'completed', '2025-10-01', '2025-10-01'),
      ]),
  },
  {
    rule: 'failed_or_interrupted_units',
    role: 'teacher',
    // S1 failed two units in the last 30 days; S2 one, and another 44 days ago.
    setup: (db) =>
      insertRows(db, 'course_progress', [
        course('S1', 'A', 5, 'failed', '2025-10-10', null, '2025-10-10 14:00:00'), course('S1', 'B', 5, 'interrupted', '2025-10-01', null, '2025-09-20 14:00:00'),
        course('S2', 'A', 5, 'failed', '2025-10-10', null, '2025-10-10 14:00:00'), course('S2', 'B', 5, 'failed', '2025-09-01', null, '2025-09-01 14:00:00'),
      ]),
  },
  {
    rule: 'wellbeing_drop',
    role: 'nurse',
    // Baseline 4 in August; S1 now 2 (drop 2), S2 now 3.5 (drop 0.5, under 1.5).
    setup: (db) =>
      insertRows(db, 'wellbeing', [
        answer('S1', '2025-08-20 10:00:00', 'mood', 4), answer('S1', '2025-08-20 10:01:00', 'sleep', 4), answer('S1', '2025-10-08 10:00:00', 'mood', 2), answer('S1', '2025-10-08 10:01:00', 'sleep', 2),
        answer('S2', '2025-08-20 10:00:00', 'mood', 4), answer('S2', '2025-08-20 10:01:00', 'sleep', 4), answer('S2', '2025-10-08 10:00:00', 'mood', 3), answer('S2', '2025-10-08 10:01:00', 'sleep', 4),
      ]),
  },
  {
    rule: 'wellbeing_low',
    role: 'social_worker',
    // S1: four answers of 2 (average 2); S2: three answers of 2 and one of 4 (average 2.5).
    setup: (db) =>
      insertRows(db, 'wellbeing', [
        answer('S1', '2025-10-01 10:00:00', 'mood', 2), answer('S1', '2025-10-01 10:01:00', 'sleep', 2), answer('S1', '2025-10-08 10:00:00', 'stress', 2), answer('S1', '2025-10-08 10:01:00', 'loneliness', 2),
        answer('S2', '2025-10-01 10:00:00', 'mood', 2), answer('S2', '2025-10-01 10:01:00', 'sleep', 2), answer('S2', '2025-10-08 10:00:00', 'stress', 2), answer('S2', '2025-10-08 10:01:00', 'loneliness', 4),
      ]),
  },
  // Help requests: S1 asked today, S2 five days ago (an earlier night already handled it).
  { rule: 'help_request_studies', role: 'guidance_counsellor', setup: help('studies') },
  { rule: 'help_request_wellbeing', role: 'psychologist', setup: help(null) },
  { rule: 'help_request_health', role: 'nurse', setup: help('health') },
  { rule: 'help_request_life_situation', role: 'social_worker', setup: help('life_situation') },
  {
    rule: 'checkins_unanswered',
    role: 'group_supervisor',
    // Two check-ins planned for each; S1 answered neither, S2 answered the second.
    setup: async (db) => {
      for (const id of ['S1', 'S2']) {
        await db.run(`INSERT INTO checkin_plans VALUES ('2025-09-01', $id, 'raised_risk', 'how_are_you', 'Pasila', now()::TIMESTAMP), ('2025-10-01', $id, 'raised_risk', 'how_are_you', 'Pasila', now()::TIMESTAMP)`, { id });
      }
      await insertRows(db, 'wellbeing', [answer('S2', '2025-10-02 18:00:00', 'mood', 4)]);
    },
  },
  {
    rule: 'high_risk_no_support',
    role: 'group_supervisor',
    // Both scored high on Monday; S2 had a meeting with the group supervisor two weeks ago.
    setup: async (db) => {
      await db.run(`INSERT INTO model_versions VALUES ('m1', now()::TIMESTAMP, '2025-10-01', 90, 'current', 0.75, 0.1, 0.05, 0.01, '/tmp/none', NULL, NULL)`);
      for (const id of ['S1', 'S2']) {
        await db.run(`INSERT INTO risk_scores VALUES ($id, '2025-10-13', 'm1', 0.31, 'high', 1, '[]', now()::TIMESTAMP)`, { id });
      }
      await insertRows(db, 'interventions', [{ intervention_id: 'I1', student_id: 'S2', staff_id: schoolStaff['group_supervisor']!, role: 'group_supervisor', date: '2025-10-01', type: 'meeting', scope: 'individual', trigger_id: null }]);
    },
  },
];

describe('shipped trigger rules', () => {
  let rules: TriggerRule[];
  beforeAll(async () => {
    rules = await loadRules(defaultConfig());
  });

  it('every shipped rule has a case here', () => {
    expect(rules.map((r) => r.id).sort()).toEqual(cases.map((c) => c.rule).sort());
  });

  it.each(cases)('$rule fires for the case and not for the near miss', async (c) => {
    await withWarehouse(async (db) => {
      await buildSchool(db, c.students ?? [student('S1'), student('S2')]);
      await c.setup?.(db);
      await runTriggers(db, rules, { asOf }, testEffects);
      const rows = await db.all(`SELECT student_id, role, staff_id, routed_via, status, visibility FROM triggers WHERE rule_id = $rule ORDER BY student_id, role`, { rule: c.rule });
      const rule = rules.find((r) => r.id === c.rule)!;
      expect(rows.map((r) => r['student_id'])).toEqual(rule.roles.map(() => 'S1'));
      expect(rows[0]).toMatchObject({ role: c.role, staff_id: schoolStaff[c.role], routed_via: 'group', status: 'open', visibility: rule.visibility });
    });
  });
});
