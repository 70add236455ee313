import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../core/dates.js';
import { defaultConfig } from '../core/config.js';
import type { Warehouse } from '../db/warehouse.js';
import { ingestFile } from '../ingest/index.js';
import { caught, expectKiinniError } from '../testing/errors.js';
import { buildSchool, insertRows, schoolStaff, student, type Value } from '../testing/school.js';
import { tempDir } from '../testing/temp-dir.js';
import { testEffects, withCohortWarehouse, withWarehouse } from '../testing/warehouse.js';
import { loadRules, runTriggers } from '../triggers/index.js';
import { checkinsFile, loadBottlenecks, needCategories, planCheckins, poissonLoadLimit, type CheckinDefinitions, type PlanOptions } from './index.js';

let defs: CheckinDefinitions;
beforeAll(async () => {
  defs = await loadBottlenecks();
});

const options = (asOf: string, over: Partial<PlanOptions> = {}): PlanOptions => ({ asOf, minDaysBetween: 28, quietPeriods: [], capacityPerUnit: { studies: 50, wellbeing: 50, health: 50, life_situation: 50 }, ...over });
const weeks = (id: string, unexcused: number) =>
  ['2025-09-15', '2025-09-22', '2025-09-29', '2025-10-06'].map((date) => ({ student_id: id, date, lessons_scheduled: 30, absent_excused: 0, absent_unexcused: unexcused, late: 0 }));
const course = (id: string, course_id: string, credits: number, status: string, planned_end: string, completed_on: string | null, updated_at = '2025-10-01 12:00:00') => ({
  student_id: id, course_id, credits, planned_start: '2025-08-11', planned_end, status, grade: status === 'completed' ? '3' : null, completed_on, updated_at,
});

interface Case {
  bottleneck: string;
  students?: [Record<string, Value>, Record<string, Value>];
  setup?: (db: Warehouse) => Promise<void>;
  quiet?: { from: string; to: string }[];
}

/** S1 is at the bottleneck on Wednesday 15 Oct 2025; S2 is a near miss. */
const cases: Case[] = [
  { bottleneck: 'third_week', students: [student('S1', { study_right_start: '2025-09-28' }), student('S2', { study_right_start: '2025-09-20' })] },
  { bottleneck: 'unexcused_absences', setup: (db) => insertRows(db, 'attendance', [...weeks('S1', 5), ...weeks('S2', 3)]) },
  { bottleneck: 'failed_or_interrupted_unit', setup: (db) => insertRows(db, 'course_progress', [course('S1', 'A', 5, 'failed', '2025-10-10', null, '2025-10-10 12:00:00'), course('S2', 'A', 5, 'failed', '2025-09-01', null, '2025-09-01 12:00:00')]) },
  {
    bottleneck: 'no_credits_60d',
    setup: (db) => insertRows(db, 'course_progress', [course('S1', 'A', 10, 'in_progress', '2025-09-30', null), course('S2', 'A', 10, 'in_progress', '2025-09-30', null), course('S2', 'B', 5, 'completed', '2025-10-01', '2025-10-01')]),
  },
  {
    bottleneck: 'before_graduation',
    students: [student('S1', { planned_end: '2025-12-31' }), student('S2', { planned_end: '2025-12-31' })],
    // S1 still earns credits (so no_credits_60d does not apply) but is 20 behind; S2 is on plan.
    setup: (db) => insertRows(db, 'course_progress', [course('S1', 'A', 20, 'in_progress', '2025-10-01', null), course('S1', 'B', 5, 'completed', '2025-09-15', '2025-09-15'), course('S2', 'A', 20, 'completed', '2025-10-01', '2025-10-01')]),
  },
  {
    bottleneck: 'raised_risk',
    setup: async (db) => {
      await db.run(`INSERT INTO model_versions VALUES ('m1', now()::TIMESTAMP, '2025-10-01', 90, 'current', 0.75, 0.1, 0.05, 0.01, '/tmp/none', NULL, NULL)`);
      await db.run(`INSERT INTO risk_scores VALUES ('S1', '2025-10-13', 'm1', 0.2, 'raised', 1, '[]', now()::TIMESTAMP), ('S2', '2025-10-13', 'm1', 0.01, 'low', 2, '[]', now()::TIMESTAMP)`);
    },
  },
];

describe('check-in bottlenecks', () => {
  it('every shipped bottleneck has a case here (back_from_break below)', () => {
    expect(defs.bottlenecks.map((b) => b.id).sort()).toEqual([...cases.map((c) => c.bottleneck), 'back_from_break'].sort());
  });

  it.each(cases)('$bottleneck: S1 is asked, the near miss is not', async (c) => {
    await withWarehouse(async (db) => {
      await buildSchool(db, c.students ?? [student('S1'), student('S2')]);
      await c.setup?.(db);
      const { checkins } = await planCheckins(db, defs, options('2025-10-15'), testEffects);
      expect(checkins.filter((x) => x.bottleneck === c.bottleneck).map((x) => x.student_id)).toEqual(['S1']);
    });
  });

  it('back_from_break: everyone in the first week after a quiet period, nobody during it or later', async () => {
    await withWarehouse(async (db) => {
      await buildSchool(db, [student('S1'), student('S2')]);
      const quiet = [{ from: '2025-10-13', to: '2025-10-19' }];
      expect((await planCheckins(db, defs, options('2025-10-15', { quietPeriods: quiet }), testEffects)).summary.quiet_period).toBe(true);
      const back = await planCheckins(db, defs, options('2025-10-21', { quietPeriods: quiet }), testEffects);
      expect(back.checkins.map((x) => [x.student_id, x.bottleneck])).toEqual([['S1', 'back_from_break'], ['S2', 'back_from_break']]);
      const later = await planCheckins(db, defs, options('2025-10-28', { quietPeriods: quiet, minDaysBetween: 1 }), testEffects);
      expect(later.checkins).toEqual([]);
    });
  });

  it('refuses a bottleneck that reads welfare data, and a question set that does not offer contact', async () => {
    const doc = parseYaml(readFileSync(checkinsFile(), 'utf8')) as CheckinDefinitions;
    const welfare = tempDir({ 'b.yaml': stringify({ ...doc, bottlenecks: [{ ...doc.bottlenecks[0]!, condition: 'wellbeing_recent < 2' }] }) });
    expectKiinniError(await caught(() => loadBottlenecks(path.join(welfare, 'b.yaml'))), { code: 'CONFIG_INVALID', message: /bottleneck third_week, field condition: reads wellbeing_recent \(not ordinary\)/ });
    // #16.3: however the fact is written, it does not bind against the ordinary facts.
    for (const condition of ['HELP_HEALTH_3D > 0', 'Wellbeing_Recent < 2', "COLUMNS('help_h.*') > 0"]) {
      const dir = tempDir({ 'b.yaml': stringify({ ...doc, bottlenecks: [{ ...doc.bottlenecks[0]!, condition }] }) });
      expectKiinniError(await caught(() => loadBottlenecks(path.join(dir, 'b.yaml'))), { code: 'CONFIG_INVALID', message: /bottleneck third_week, field condition: .*(not ordinary|only use ordinary facts)/ });
    }
    const set = doc.question_sets['how_are_you']!;
    const noContact = tempDir({ 'b.yaml': stringify({ ...doc, question_sets: { ...doc.question_sets, how_are_you: { questions: set.questions.slice(0, 1) } } }) });
    expectKiinniError(await caught(() => loadBottlenecks(path.join(noContact, 'b.yaml'))), { code: 'CONFIG_INVALID', message: /question_sets.how_are_you: the last question must ask/ });
  });

  it('holds caps, quiet periods, opt-outs and capacity over a school year of plans (bundled cohort)', async () => {
    await withCohortWarehouse(async (db) => {
      const quiet = [{ from: '2025-10-13', to: '2025-10-19' }, { from: '2025-12-20', to: '2026-01-11' }, { from: '2026-02-23', to: '2026-03-01' }];
      const capacity = { studies: 0.6, wellbeing: 0.6, health: 0.6, life_situation: 0.6 };
      let optedOut: string | undefined;
      const planned: { day: string; student: string; unit: string; set: string }[] = [];
      const ratesOn = new Map<string, Record<string, Record<string, number>>>();
      // Every other school day of 2025–26 (every day would take a minute; the rules are the same).
      let n = 0;
      for (let day = '2025-08-11'; day <= '2026-05-29'; day = addDays(day, 1)) {
        if ([0, 6].includes(new Date(`${day}T12:00:00Z`).getUTCDay()) || n++ % 2) continue;
        const { summary, checkins } = await planCheckins(db, defs, options(day, { quietPeriods: quiet, capacityPerUnit: capacity }), testEffects);
        ratesOn.set(day, Object.fromEntries(Object.entries(summary.help_rates_by_question_set).map(([k, v]) => [k, v.rates])));
        for (const c of checkins) planned.push({ day, student: c.student_id, unit: c.unit, set: c.question_set });
        if (!optedOut && checkins.length) {
          optedOut = checkins[0]!.student_id;
          await db.run(`INSERT INTO checkin_optouts VALUES ($id, $d::DATE)`, { id: optedOut, d: addDays(day, 1) });
        }
      }
      expect(planned.length).toBeGreaterThan(50);
      // Quiet period: nothing.
      for (const q of quiet) expect(planned.filter((p) => p.day >= q.from && p.day <= q.to)).toEqual([]);
      // Frequency cap: no student twice within 28 days.
      const last = new Map<string, string>();
      for (const p of planned) {
        const prev = last.get(p.student);
        if (prev) expect(Date.parse(p.day) - Date.parse(prev)).toBeGreaterThanOrEqual(28 * 86_400_000);
        last.set(p.student, p.day);
      }
      // Opt-out: never again after it.
      expect(planned.filter((p) => p.student === optedOut).length).toBe(1);
      // Capacity: each unit's expected help requests per day stay within it, per category.
      // (With the rates of that day's plan, per question set.)
      const perUnitDay = new Map<string, Record<string, number>>();
      for (const p of planned) {
        const load = perUnitDay.get(`${p.day}|${p.unit}`) ?? {};
        for (const c of needCategories) load[c] = (load[c] ?? 0) + ratesOn.get(p.day)![p.set]![c]!;
        perUnitDay.set(`${p.day}|${p.unit}`, load);
      }
      for (const load of perUnitDay.values()) for (const c of needCategories) expect(load[c]).toBeLessThanOrEqual(capacity[c] + 1e-9);
    });
  }, 180_000);

  it('a help answer that arrives at 10:00 is a routed trigger in the next run', async () => {
    await withWarehouse(async (db, dir) => {
      await buildSchool(db, [student('S1'), student('S2')]);
      const file = path.join(dir, 'wellbeing.csv');
      writeFileSync(file, 'student_id,answered_at,source,item,value,need_help,need_category\nS1,2025-10-15 10:00:00,check-in,want_contact,,true,life_situation\n');
      expect((await ingestFile(db, { kind: 'wellbeing', file }, testEffects)).rows_loaded).toBe(1);
      await runTriggers(db, await loadRules(defaultConfig()), { asOf: '2025-10-15' }, testEffects);
      const t = await db.one(`SELECT rule_id, role, staff_id, status FROM triggers WHERE student_id = 'S1'`);
      expect(t).toEqual({ rule_id: 'help_request_life_situation', role: 'social_worker', staff_id: schoolStaff['social_worker'], status: 'open' });
    });
  });
});

describe('capacity with a confidence', () => {
  it('poissonLoadLimit gives the largest expected load that stays within capacity with that probability', () => {
    const cdf = (k: number, l: number) => {
      let term = Math.exp(-l);
      let sum = term;
      for (let i = 1; i <= k; i++) sum += term *= l / i;
      return sum;
    };
    for (const [cap, conf] of [[6, 0.9], [3, 0.95], [1, 0.5], [20, 0.99]] as const) {
      const l = poissonLoadLimit(cap, conf);
      expect(cdf(cap, l)).toBeGreaterThanOrEqual(conf - 1e-9);
      expect(cdf(cap, l + 0.01)).toBeLessThan(conf);
      if (conf >= 0.9) expect(l).toBeLessThan(cap);
    }
    expect(poissonLoadLimit(0, 0.9)).toBe(0);
    expect(poissonLoadLimit(6, 0.9)).toBeCloseTo(3.89, 1);
  });
});
