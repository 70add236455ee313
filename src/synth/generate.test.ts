import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { Warehouse } from '../db/warehouse.js';
import { ingestDirectory } from '../ingest/index.js';
import { tempDir } from '../testing/temp-dir.js';
import { testEffects, withWarehouse } from '../testing/warehouse.js';
import { generateCohort, type GenerateOptions } from './generate.js';

const base: Omit<GenerateOptions, 'out'> = { students: 400, seed: 11, start: '2024-08-01', years: 2, format: 'csv', dirty: 0 };
const fx = { logger: silentLogger() };

function digest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ['', 'truth']) {
    for (const f of readdirSync(path.join(dir, sub)).filter((f) => f.endsWith('.csv')).sort()) {
      out[path.join(sub, f)] = createHash('sha256').update(readFileSync(path.join(dir, sub, f))).digest('hex');
    }
  }
  return out;
}

describe('generateCohort', () => {
  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const a = tempDir();
    const b = tempDir();
    const c = tempDir();
    await generateCohort({ ...base, out: a }, fx);
    await generateCohort({ ...base, out: b }, fx);
    await generateCohort({ ...base, seed: 12, out: c }, fx);
    expect(Object.keys(digest(a))).toHaveLength(11);
    expect(digest(a)).toEqual(digest(b));
    expect(digest(a)['students.csv']).not.toBe(digest(c)['students.csv']);
  });

  it('produces files every contract accepts: zero quarantined rows on a clean run', async () => {
    const out = tempDir();
    await generateCohort({ ...base, students: 1500, out }, fx);
    await withWarehouse(async (db) => {
      const { results } = await ingestDirectory(db, out, new Map(), testEffects);
      expect(results.map((r) => [r.kind, r.status, r.rows_quarantined])).toEqual(
        ['staff', 'students', 'assignments', 'study_right_events', 'course_progress', 'attendance', 'wellbeing', 'interventions'].map((k) => [k, 'loaded', 0]),
      );
      // Every role of DOMAIN.md has staff, and caseloads are realistic.
      const roles = await db.all(`SELECT r AS role, count(*) AS n FROM (SELECT unnest(roles) AS r FROM staff) GROUP BY r ORDER BY r`);
      expect(roles.map((r) => r['role'])).toEqual([
        'data_coordinator', 'group_supervisor', 'guidance_counsellor', 'leadership', 'nurse', 'psychologist', 'social_worker', 'special_needs_teacher', 'teacher',
      ]);
    });
  });

  it('injects faults that ingest catches count for count, and refuses the two broken files', async () => {
    const out = tempDir();
    const result = await generateCohort({ ...base, students: 500, dirty: 0.003, out }, fx);
    expect(result.faults.quarantined_rows_expected).toBeGreaterThan(20);
    await withWarehouse(async (db) => {
      const { results } = await ingestDirectory(db, out, new Map(), testEffects);
      const refused = results.filter((r) => r.status === 'refused').map((r) => r.file).sort();
      expect(refused).toEqual(['attendance-extra.csv', 'interventions-extra.csv']);
      const quarantined = results.reduce((a, r) => a + r.rows_quarantined, 0);
      expect(quarantined).toBe(result.faults.quarantined_rows_expected);
      // Each injected line is in the quarantine under its own file and line.
      const faults = await db.all(`SELECT file, line FROM read_csv('${path.join(out, 'truth', 'faults.csv')}') WHERE expected = 'quarantine'`);
      const caught = await db.all(`SELECT DISTINCT file_name AS file, line FROM quarantine`);
      const key = (r: Record<string, unknown>) => `${r['file']}:${r['line']}`;
      const caughtSet = new Set(caught.map(key));
      expect(faults.filter((f) => !caughtSet.has(key(f)))).toEqual([]);
    });
  });

  it('gives annual negative-exit shares near the national figures (20 000 students)', { timeout: 120_000 }, async () => {
    const out = tempDir();
    await generateCohort({ ...base, students: 20_000, seed: 3, out }, fx);
    const db = await Warehouse.open(':memory:');
    try {
      // Statistics Finland style: present on 20 September, negative exit within the academic year.
      const rates = await db.all(`
        WITH s AS (SELECT * FROM read_csv('${path.join(out, 'students.csv')}')),
        e AS (SELECT * FROM read_csv('${path.join(out, 'study_right_events.csv')}')),
        ex AS (SELECT student_id, min(date) FILTER (WHERE event IN ('resigned', 'deemed_resigned', 'transferred', 'graduated')) AS exit_date,
                 any_value(event) FILTER (WHERE event IN ('resigned', 'deemed_resigned', 'transferred', 'graduated')) AS ev FROM e GROUP BY 1),
        pop AS (SELECT education_type, admission_route, 2024 - birth_year >= 20 AS older, exit_date, ev FROM s JOIN ex USING (student_id)
                WHERE study_right_start <= DATE '2024-09-20' AND (exit_date IS NULL OR exit_date >= DATE '2024-09-20'))
        SELECT education_type, round(100.0 * count(*) FILTER (WHERE ev IN ('resigned', 'deemed_resigned') AND exit_date < DATE '2025-09-20') / count(*), 1) AS pct
        FROM pop GROUP BY ALL ORDER BY ALL`);
      const pct = Object.fromEntries(rates.map((r) => [r['education_type'], Number(r['pct'])]));
      expect(pct['vocational']).toBeGreaterThanOrEqual(9);
      expect(pct['vocational']).toBeLessThanOrEqual(13.5);
      expect(pct['upper_secondary']).toBeGreaterThanOrEqual(2);
      expect(pct['upper_secondary']).toBeLessThanOrEqual(4.5);
      // Older starters and continuous intake leave more often; autumn is the peak.
      const groups = await db.all(`
        WITH s AS (SELECT * FROM read_csv('${path.join(out, 'students.csv')}')),
        neg AS (SELECT DISTINCT student_id FROM read_csv('${path.join(out, 'study_right_events.csv')}') WHERE event IN ('resigned', 'deemed_resigned'))
        SELECT admission_route, avg(CASE WHEN neg.student_id IS NULL THEN 0 ELSE 1 END) AS share
        FROM s LEFT JOIN neg USING (student_id) WHERE education_type = 'vocational' GROUP BY 1 ORDER BY 1`);
      expect(Number(groups[0]!['share'])).toBeGreaterThan(Number(groups[1]!['share'])); // continuous > joint
      const months = await db.all(`
        SELECT month(date) IN (9, 10, 11) AS autumn, count(*) / count(DISTINCT month(date)) AS per_month
        FROM read_csv('${path.join(out, 'study_right_events.csv')}') WHERE event IN ('resigned', 'deemed_resigned') GROUP BY 1 ORDER BY 1`);
      expect(Number(months[1]!['per_month'])).toBeGreaterThan(Number(months[0]!['per_month']));
    } finally {
      db.close();
    }
  });
});
