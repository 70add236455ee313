import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Warehouse } from '../db/warehouse.js';
import { runCli, runCliJson } from '../testing/cli.js';
import { insertRows } from '../testing/school.js';
import { tempDir } from '../testing/temp-dir.js';
import { testNow } from '../testing/warehouse.js';
import { workspaceSchool } from '../testing/workspace.js';
import { recordAudit } from '../web/index.js';
import { applyRetention, studentTables, subjectAccess } from './index.js';

async function school() {
  const { dataDir, triggers } = await workspaceSchool();
  const db = await Warehouse.open(path.join(dataDir, 'kiinni.duckdb'));
  await recordAudit(db, { staff_id: 'H-NURSE', action: 'viewed_student', student_id: 'S1', client: '10.0.0.7' }, testNow);
  await recordAudit(db, { staff_id: 'H-SUPER', action: 'viewed_student', student_id: 'S2', client: '10.0.0.8' }, testNow);
  return { dataDir, triggers, db };
}

describe('data-subject rights', () => {
  it('exports everything held about one student and nothing about anyone else', async () => {
    const { db, dataDir } = await school();
    try {
      const x = await subjectAccess(db, 'S1', testNow);
      const rows = Object.fromEntries(x.sections.map((s) => [s.table, s.rows]));
      for (const t of await studentTables(db)) expect(Object.keys(rows)).toContain(t);
      expect(rows['students']).toHaveLength(1);
      expect(rows['attendance']).toHaveLength(5);
      expect(rows['wellbeing']).toHaveLength(2);
      expect(rows['triggers']!.length).toBeGreaterThanOrEqual(3);
      expect(rows['trigger_events']!.length).toBeGreaterThanOrEqual(3);
      expect(rows['audit_log']).toEqual([expect.objectContaining({ staff_id: 'H-NURSE', client: '10.0.0.7' })]);
      for (const s of x.sections) for (const r of s.rows) if ('student_id' in r) expect(r['student_id']).toBe('S1');
    } finally {
      db.close();
    }
    // The real CLI: a readable file only its owner can read, and an audit entry for the export.
    const out = path.join(tempDir(), 'S1.html');
    const r = await runCli(['--data-dir', dataDir, 'subject-access', 'S1', '--out', out]);
    expect(r.exitCode).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Opiskelijasta S1 tallennetut tiedot');
    const sv = path.join(tempDir(), 'S1-sv.html');
    expect((await runCli(['--data-dir', dataDir, 'subject-access', 'S1', '--out', sv, '--lang', 'sv'])).exitCode).toBe(0);
    expect(readFileSync(sv, 'utf8')).toContain('Uppgifter om studerande S1');
    expect(html).toContain('Virtanen');
    expect(html).not.toContain('>S2<');
    expect(statSync(out).mode & 0o077).toBe(0);
    const { json } = await runCliJson<{ action: string; student_id: string }[]>(['--data-dir', dataDir, '--json', 'audit', 'list', '--student', 'S1']);
    expect(json.map((a) => a.action)).toContain('subject_access_exported');
    expect((await runCli(['--data-dir', dataDir, 'subject-access', 'S404', '--out', out])).exitCode).not.toBe(0);
  });

  it('removes the data of students who left long ago from every table, keeping the audit log', async () => {
    const { db } = await school();
    try {
      await db.run(`UPDATE study_right_events SET date = DATE '2016-08-15' WHERE student_id = 'S2'`);
      await insertRows(db, 'study_right_events', [{ student_id: 'S2', date: '2019-05-31', event: 'graduated', reason: null }]);
      await insertRows(db, 'interventions', [{ intervention_id: 'I-OLD', student_id: 'S2', staff_id: 'H-COUNS', role: 'guidance_counsellor', date: '2019-03-01', type: 'meeting', scope: 'individual', trigger_id: null }]);
      const o = { asOf: '2025-11-24', yearsAfterExit: 5, auditYears: 10 };
      const count = async (table: string, id: string) => Number((await db.one(`SELECT count(*) AS n FROM ${table} WHERE student_id = $id`, { id }))!['n']);
      const before = await Promise.all((await studentTables(db)).map(async (t) => [t, await count(t, 'S1')] as const));
      const dry = await applyRetention(db, { ...o, dryRun: true });
      expect(dry).toMatchObject({ students: 1, exited_before: '2020-11-24' });
      expect(await count('students', 'S2')).toBe(1);
      const done = await applyRetention(db, { ...o, dryRun: false });
      expect(done.rows).toEqual(dry.rows);
      expect(done.rows['students']).toBe(1);
      expect(done.rows['interventions']).toBe(1);
      for (const t of await studentTables(db)) if (t !== 'audit_log') expect(await count(t, 'S2')).toBe(0);
      // S1 is untouched, and the audit log still says who looked at S2.
      for (const [t, n] of before) expect(await count(t, 'S1')).toBe(n);
      expect(await count('audit_log', 'S2')).toBe(1);
    } finally {
      db.close();
    }
  });
});
