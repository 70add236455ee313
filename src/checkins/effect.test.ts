import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCohort } from '../synth/index.js';
import { runCli, runCliJson } from '../testing/cli.js';
import { buildSchool, insertRows, student } from '../testing/school.js';
import { tempDir } from '../testing/temp-dir.js';
import { silentLogger } from '../core/log.js';
import { withWarehouse } from '../testing/warehouse.js';
import { Warehouse } from '../db/warehouse.js';
import { checkinEpisodes, estimateCheckinEffect } from './index.js';

const o = { asOf: '2026-05-31', from: '2025-08-11', graceDays: 14, windowDays: 90, bootstrap: 0, seed: 1 };

describe('check-in effect: asked at a bottleneck vs not yet asked', () => {
  it('builds one episode per student with the grace period, the outcome window and the exclusions', async () => {
    await withWarehouse(async (db) => {
      const ids = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
      await buildSchool(db, ids.map((id) => student(id)));
      // [student, day, bottleneck, status]
      const candidates: [string, string, string, string][] = [
        ['A', '2025-10-01', 'unexcused_absences', 'planned'], // asked the same day; exits 30 days after the grace period
        ['A', '2025-11-20', 'no_credits_60d', 'planned'], // a later episode of A: not used (first one counts)
        ['B', '2025-10-01', 'unexcused_absences', 'over_capacity'], // asked 10 days later: treated
        ['C', '2025-10-01', 'unexcused_absences', 'over_capacity'], // never asked; exits after the window: not an exit
        ['D', '2025-10-01', 'unexcused_absences', 'over_capacity'], // never asked; exits inside the window
        ['E', '2025-10-01', 'unexcused_absences', 'over_capacity'], // exits during the grace period: left out
        ['F', '2025-10-01', 'third_week', 'planned'], // was asked 20 days before: left out
        ['G', '2026-04-01', 'third_week', 'planned'], // outcome window not over by the as-of date: left out
      ];
      for (const c of candidates) await db.run(`INSERT INTO checkin_candidates VALUES ($d::DATE, $s, $b, $st)`, { d: c[1], s: c[0], b: c[2], st: c[3] });
      for (const [s, d] of [['A', '2025-10-01'], ['B', '2025-10-11'], ['F', '2025-09-11'], ['F', '2025-10-01'], ['G', '2026-04-01'], ['A', '2025-11-20']] as [string, string][]) {
        await db.run(`INSERT INTO checkin_plans VALUES ($d::DATE, $s, 'x', 'how_are_you', 'Pasila', now()::TIMESTAMP)`, { d, s });
      }
      await insertRows(db, 'study_right_events', [
        { student_id: 'A', date: '2025-11-14', event: 'resigned', reason: null },
        { student_id: 'C', date: '2026-01-20', event: 'resigned', reason: null },
        { student_id: 'D', date: '2025-12-01', event: 'deemed_resigned', reason: null },
        { student_id: 'E', date: '2025-10-10', event: 'resigned', reason: null },
      ]);
      const episodes = await checkinEpisodes(db, o);
      expect(episodes.map((e) => [e.student_id, e.opened_on, e.bottleneck, e.treated, e.exited])).toEqual([
        ['A', '2025-10-01', 'unexcused_absences', true, true],
        ['B', '2025-10-01', 'unexcused_absences', true, false],
        ['C', '2025-10-01', 'unexcused_absences', false, false],
        ['D', '2025-10-01', 'unexcused_absences', false, true],
      ]);
      const effect = await estimateCheckinEffect(db, o);
      expect(effect).toMatchObject({ treated: 2, comparison: 2, treated_exits: 1, comparison_exits: 1, risk_ratio: 1, by_bottleneck: [{ bottleneck: 'unexcused_absences', treated: 2, comparison: 2 }] });
    });
  });

  it('the generator’s programme changes nothing before it starts, and its log, answers and truth agree', async () => {
    const dir = tempDir();
    const base = { students: 300, seed: 5, start: '2024-08-01', years: 2, format: 'csv' as const, dirty: 0 };
    await generateCohort({ ...base, out: path.join(dir, 'off') }, { logger: silentLogger() });
    const on = await generateCohort({ ...base, out: path.join(dir, 'on'), checkinProgramme: '2025-08-11' }, { logger: silentLogger() });
    const before = (f: string, dateCol: number, day: string) =>
      readFileSync(f, 'utf8').trim().split('\n').slice(1).filter((l) => l.split(',')[dateCol]!.slice(0, 10) < day);
    for (const [file, col] of [['attendance.csv', 1], ['wellbeing.csv', 1], ['study_right_events.csv', 1]] as const) {
      expect(before(path.join(dir, 'on', file), col, '2025-08-11')).toEqual(before(path.join(dir, 'off', file), col, '2025-08-11'));
    }
    expect(existsSync(path.join(dir, 'off', 'checkins'))).toBe(false);
    const rows = (f: string) => readFileSync(path.join(dir, 'on', f), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const plans = rows('checkins/plans.csv');
    const truth = rows('truth/checkins.csv');
    expect(on.checkin_programme).toMatchObject({ from: '2025-08-11', plans: plans.length });
    expect(plans.length).toBeGreaterThan(100);
    // Every check-in asked is in the truth with the same day; an answer with a request for help
    // is a check-in row in the well-being export and a contact in the interventions export.
    expect(truth.map((t) => `${t[0]}|${t[3]}`).sort()).toEqual(plans.map((p) => `${p[1]}|${p[0]}`).sort());
    const helped = truth.filter((t) => t[5] === 'true');
    expect(helped.length).toBeGreaterThan(5);
    expect(truth.filter((t) => t[4] === 'true').every((t) => Number(t[6]) < 1)).toBe(true);
    const answers = rows('wellbeing.csv').filter((w) => w[1]!.endsWith(':30') && w[2] === 'check-in');
    expect(answers.length).toBe(truth.filter((t) => t[4] === 'true').length);
    expect(rows('interventions.csv').filter((i) => i[0]!.startsWith('C')).length).toBeGreaterThan(0);
  });

  it('kiinni checkins import-log refuses a log without a column, naming file and column, then loads one', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    expect((await runCli(['--data-dir', data, 'init'])).exitCode).toBe(0);
    const log = path.join(dir, 'log');
    mkdirSync(log);
    writeFileSync(path.join(log, 'candidates.csv'), 'as_of,student_id,status\n2025-10-01,S1,planned\n');
    writeFileSync(path.join(log, 'plans.csv'), 'as_of,student_id,bottleneck,question_set,unit\n2025-10-01,S1,third_week,start_of_studies,Pasila\n');
    const refused = await runCli(['--data-dir', data, 'checkins', 'import-log', log]);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toMatch(/candidates\.csv: missing column bottleneck/);
    writeFileSync(path.join(log, 'candidates.csv'), 'as_of,student_id,bottleneck,status\n2025-10-01,S1,third_week,planned\n2025-10-01,S2,third_week,over_capacity\n');
    const { json } = await runCliJson<{ candidates: number; plans: number }>(['--data-dir', data, '--json', 'checkins', 'import-log', log]);
    expect(json).toEqual({ candidates: 2, plans: 1 });
    // Again: the same dates are replaced, not doubled.
    expect((await runCli(['--data-dir', data, 'checkins', 'import-log', log])).exitCode).toBe(0);
    const db = await Warehouse.open(path.join(data, 'kiinni.duckdb'));
    try {
      expect(await db.one(`SELECT (SELECT count(*) FROM checkin_candidates) AS c, (SELECT count(*) FROM checkin_plans) AS p`)).toEqual({ c: 2, p: 1 });
    } finally {
      db.close();
    }
  });
});
