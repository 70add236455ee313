import { beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../core/dates.js';
import { defaultConfig } from '../core/config.js';
import type { Warehouse } from '../db/warehouse.js';
import { caught, expectKiinniError } from '../testing/errors.js';
import { buildSchool, insertRows, schoolStaff, student } from '../testing/school.js';
import { testEffects, testNow, withWarehouse } from '../testing/warehouse.js';
import { acknowledgeTrigger, addIntervention, loadRules, resolveTrigger, runTriggers, type TriggerRule } from './index.js';

/** Two rules: `failed_or_interrupted_units` (teacher), tuned to fire on one failure, and `help_request_health` (nurse). */
let rules: TriggerRule[];
beforeAll(async () => {
  const config = { ...defaultConfig(), triggers: { rulesDir: undefined, rules: { failed_or_interrupted_units: { params: { min_units: 1 } } } } };
  rules = (await loadRules(config)).filter((r) => r.id === 'failed_or_interrupted_units' || r.id === 'help_request_health');
});

const failing = (db: Warehouse, id: string, day: string) =>
  insertRows(db, 'course_progress', [{ student_id: id, course_id: `C-${day}`, credits: 5, planned_start: '2025-08-11', planned_end: day, status: 'failed', grade: null, completed_on: null, updated_at: `${day} 12:00:00` }]);

async function runDays(db: Warehouse, from: string, days: number): Promise<void> {
  for (let i = 0; i < days; i++) await runTriggers(db, rules, { asOf: addDays(from, i) }, testEffects);
}

const triggersOf = (db: Warehouse, rule = 'failed_or_interrupted_units') =>
  db.all(`SELECT trigger_id, student_id, role, staff_id, routed_via, status, strftime(opened_on, '%Y-%m-%d') AS opened_on, strftime(escalated_on, '%Y-%m-%d') AS escalated_on, outcome
          FROM triggers WHERE rule_id = $rule ORDER BY opened_on, student_id`, { rule });
const eventsOf = (db: Warehouse, id: string) => db.all(`SELECT strftime(on_date, '%Y-%m-%d') AS on_date, event, staff_id FROM trigger_events WHERE trigger_id = $id ORDER BY recorded_at, on_date, event`, { id });

describe('routing', () => {
  it('prefers a personal assignment, then the group, then the unit pool, and reports a gap', async () => {
    await withWarehouse(async (db) => {
      await buildSchool(db, [student('S1'), student('S2'), student('S3', { group: 'G2' }), student('S4', { group: 'G3', unit: 'Vallila' })]);
      await insertRows(db, 'staff', [
        { staff_id: 'H-OWN', name: 'Own teacher', email: 'own@example.fi', language: 'sv', roles: ['teacher'], unit: null },
        { staff_id: 'H-POOL', name: 'Pool teacher', email: 'pool@example.fi', language: 'fi', roles: ['teacher'], unit: 'Pasila' },
      ]);
      await insertRows(db, 'assignments', [{ staff_id: 'H-OWN', role: 'teacher', student_id: 'S2', group: null, valid_from: '2025-08-01', valid_to: null }]);
      for (const s of ['S1', 'S2', 'S3', 'S4']) await failing(db, s, '2025-10-10');
      const summary = await runTriggers(db, rules, { asOf: '2025-10-15' }, testEffects);
      expect((await triggersOf(db)).map((t) => [t['student_id'], t['staff_id'], t['routed_via']])).toEqual([
        ['S1', schoolStaff['teacher'], 'group'],
        ['S2', 'H-OWN', 'student'],
        ['S3', 'H-POOL', 'pool'],
        ['S4', null, 'none'],
      ]);
      expect(summary.routing_gaps).toBe(1);
    });
  });

  it('moves an open trigger when the assignment changes, and fills a gap once someone is assigned', async () => {
    await withWarehouse(async (db) => {
      await buildSchool(db, [student('S1'), student('S4', { group: 'G3' })]);
      await insertRows(db, 'staff', [{ staff_id: 'H-NEW', name: 'New teacher', email: 'new@example.fi', language: 'fi', roles: ['teacher'], unit: null }]);
      // The group's teacher hands over to H-NEW on 17 Oct; G3 gets a teacher from 18 Oct.
      await db.run(`UPDATE assignments SET valid_to = '2025-10-16' WHERE role = 'teacher'`);
      await insertRows(db, 'assignments', [
        { staff_id: 'H-NEW', role: 'teacher', student_id: null, group: 'G1', valid_from: '2025-10-17', valid_to: null },
        { staff_id: 'H-NEW', role: 'teacher', student_id: null, group: 'G3', valid_from: '2025-10-18', valid_to: null },
      ]);
      await failing(db, 'S1', '2025-10-10');
      await failing(db, 'S4', '2025-10-10');
      await runDays(db, '2025-10-15', 4);
      const [s1, s4] = await triggersOf(db);
      expect(s1).toMatchObject({ staff_id: 'H-NEW', routed_via: 'group', status: 'open' });
      expect(s4).toMatchObject({ staff_id: 'H-NEW', routed_via: 'group' });
      expect(await eventsOf(db, String(s1!['trigger_id']))).toEqual([
        { on_date: '2025-10-15', event: 'opened', staff_id: schoolStaff['teacher'] },
        { on_date: '2025-10-17', event: 'rerouted', staff_id: 'H-NEW' },
      ]);
      expect((await eventsOf(db, String(s4!['trigger_id']))).map((e) => [e['on_date'], e['event'], e['staff_id']])).toEqual([
        ['2025-10-15', 'opened', null],
        ['2025-10-18', 'rerouted', 'H-NEW'],
      ]);
    });
  });
});

describe('lifecycle across days', () => {
  it('keeps one open trigger while the evidence lasts, and a rerun of the same day changes nothing', async () => {
    await withWarehouse(async (db) => {
      await buildSchool(db, [student('S1')]);
      await failing(db, 'S1', '2025-10-10');
      await runDays(db, '2025-10-11', 3);
      await failing(db, 'S1', '2025-10-13'); // new evidence: a second failure
      await runTriggers(db, rules, { asOf: '2025-10-14' }, testEffects);
      const snapshot = async () => ({
        triggers: await db.all(`SELECT * EXCLUDE (evidence) FROM triggers ORDER BY trigger_id`),
        evidence: await db.all(`SELECT evidence FROM triggers ORDER BY trigger_id`),
        events: await db.all(`SELECT trigger_id, on_date, event, role, staff_id, detail FROM trigger_events ORDER BY ALL`),
      });
      const before = await snapshot();
      const again = await runTriggers(db, rules, { asOf: '2025-10-14' }, testEffects);
      expect(again).toMatchObject({ opened: 0, updated: 0, escalated: 0, rerouted: 0, expired: 0, resolved: 0 });
      expect(await snapshot()).toEqual(before);
      const all = await triggersOf(db);
      expect(all).toHaveLength(1);
      expect(before.evidence[0]!['evidence']).toBe('{"failed_or_interrupted_30d":2}');
      expect((await eventsOf(db, String(all[0]!['trigger_id']))).map((e) => e['event'])).toEqual(['opened', 'updated']);
    });
  });

  it('escalates to the next role when nobody acknowledges, and not when someone does', async () => {
    await withWarehouse(async (db) => {
      await buildSchool(db, [student('S1'), student('S2')]);
      await failing(db, 'S1', '2025-10-10');
      await failing(db, 'S2', '2025-10-10');
      await runTriggers(db, rules, { asOf: '2025-10-10' }, testEffects);
      const [t1, t2] = await triggersOf(db);
      await acknowledgeTrigger(db, String(t2!['trigger_id']), schoolStaff['teacher']!, '2025-10-13', testNow);
      await runDays(db, '2025-10-11', 6); // up to 16 Oct: 6 days, not yet 7
      expect((await triggersOf(db)).map((t) => t['escalated_on'])).toEqual([null, null]);
      await runTriggers(db, rules, { asOf: '2025-10-17' }, testEffects);
      const [e1, e2] = await triggersOf(db);
      expect(e1).toMatchObject({ trigger_id: t1!['trigger_id'], role: 'group_supervisor', staff_id: schoolStaff['group_supervisor'], escalated_on: '2025-10-17', status: 'open' });
      expect(e2).toMatchObject({ role: 'teacher', escalated_on: null, status: 'acknowledged' });
    });
  });

  it('cools down after resolution, reopens afterwards, and expires when the evidence goes', async () => {
    await withWarehouse(async (db) => {
      await buildSchool(db, [student('S1')]);
      await failing(db, 'S1', '2025-10-01');
      await runTriggers(db, rules, { asOf: '2025-10-01' }, testEffects);
      const [t] = await triggersOf(db);
      await resolveTrigger(db, String(t!['trigger_id']), schoolStaff['teacher']!, 'supported', '2025-10-02', testNow);
      await failing(db, 'S1', '2025-10-20');
      // Cool-down 30 days from 2 Oct: the failure of 20 Oct opens nothing until 2 Nov.
      await runDays(db, '2025-10-02', 31);
      expect((await triggersOf(db)).map((x) => [x['opened_on'], x['status']])).toEqual([['2025-10-01', 'resolved']]);
      await runTriggers(db, rules, { asOf: '2025-11-02' }, testEffects);
      const reopened = (await triggersOf(db)).at(-1)!;
      expect(reopened).toMatchObject({ opened_on: '2025-11-02', status: 'open' });
      // The 20 Oct failure is last seen on 18 Nov; the trigger expires when 30 more days have passed.
      await runDays(db, '2025-11-03', 46); // up to 18 Dec
      expect((await triggersOf(db)).at(-1)).toMatchObject({ status: 'open' });
      await runTriggers(db, rules, { asOf: '2025-12-19' }, testEffects);
      expect((await triggersOf(db)).at(-1)).toMatchObject({ status: 'expired', outcome: 'condition_cleared' });
    });
  });

  it('resolves a trigger answered by an ingested intervention, and one recorded with interventions add', async () => {
    await withWarehouse(async (db) => {
      await buildSchool(db, [student('S1'), student('S2')]);
      await failing(db, 'S1', '2025-10-10');
      await failing(db, 'S2', '2025-10-10');
      await runTriggers(db, rules, { asOf: '2025-10-10' }, testEffects);
      const [t1, t2] = await triggersOf(db);
      await insertRows(db, 'interventions', [{ intervention_id: 'I-9', student_id: 'S1', staff_id: schoolStaff['teacher']!, role: 'teacher', date: '2025-10-11', type: 'meeting', scope: 'individual', trigger_id: String(t1!['trigger_id']) }]);
      const added = await addIntervention(db, { student_id: 'S2', staff_id: schoolStaff['teacher']!, role: 'teacher', date: '2025-10-11', type: 'contact', scope: 'individual', trigger_id: String(t2!['trigger_id']) }, testNow);
      const summary = await runTriggers(db, rules, { asOf: '2025-10-11' }, testEffects);
      expect(summary.resolved).toBe(1);
      expect(await triggersOf(db)).toMatchObject([
        { status: 'resolved', outcome: 'intervention:meeting' },
        { status: 'resolved', outcome: 'intervention:contact' },
      ]);
      expectKiinniError(await caught(() => addIntervention(db, { student_id: 'S2', staff_id: schoolStaff['teacher']!, role: 'teacher', date: '2025-10-11', type: 'contact', scope: 'individual', trigger_id: String(t2!['trigger_id']) }, testNow)), {
        code: 'USAGE',
        message: new RegExp(`already recorded \\(${added.intervention_id}\\)`),
      });
    });
  });

  it('expires a trigger when the student leaves, refuses runs back in time, and keeps welfare triggers from other roles', async () => {
    await withWarehouse(async (db) => {
      await buildSchool(db, [student('S1'), student('S2')]);
      await failing(db, 'S1', '2025-10-10');
      await insertRows(db, 'wellbeing', [{ student_id: 'S2', answered_at: '2025-10-10 08:00:00', source: 'check-in', item: 'need', value: null, need_help: true, need_category: 'health' }]);
      await runTriggers(db, rules, { asOf: '2025-10-10' }, testEffects);
      await insertRows(db, 'study_right_events', [{ student_id: 'S1', date: '2025-10-12', event: 'resigned', reason: null }]);
      await runTriggers(db, rules, { asOf: '2025-10-12' }, testEffects);
      expect((await triggersOf(db))[0]).toMatchObject({ status: 'expired', outcome: 'student_not_active' });
      expectKiinniError(await caught(() => runTriggers(db, rules, { asOf: '2025-10-11' }, testEffects)), { code: 'USAGE', message: /already been run for 2025-10-12/ });
      const [health] = await triggersOf(db, 'help_request_health');
      // Not acknowledged in 2 days: escalated from the nurse to the social worker; the nurse may still act.
      expect(health).toMatchObject({ role: 'social_worker', escalated_on: '2025-10-12' });
      // A teacher cannot act on (or even find) the nurse's trigger.
      expectKiinniError(await caught(() => acknowledgeTrigger(db, String(health!['trigger_id']), schoolStaff['teacher']!, '2025-10-12', testNow)), { code: 'NOT_FOUND' });
      await acknowledgeTrigger(db, String(health!['trigger_id']), schoolStaff['nurse']!, '2025-10-12', testNow);
    });
  });
});
