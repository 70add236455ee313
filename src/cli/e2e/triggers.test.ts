import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { repoRoot, runCli, runCliJson, startCli } from '../../testing/cli.js';
import { tempDir } from '../../testing/temp-dir.js';

interface View {
  id: string;
  student_id: string;
  rule: string;
  family: string;
  role: string;
  staff_id: string | null;
  status: string;
  opened_on: string;
  message: string;
  evidence: Record<string, unknown>;
}

const welfareWords = /wellbeing_|help_request_(wellbeing|health|life_situation)|"(nurse|social_worker|psychologist)"|lowest_item|hyvinvointi|terveys/;

describe('kiinni triggers and interventions (real CLI)', () => {
  const data = tempDir();
  const cohort = path.join(repoRoot, 'fixtures', 'cohort');
  const cli = (...args: string[]) => runCli(['--data-dir', data, ...args]);
  const json = <T>(...args: string[]) => runCliJson<T>(['--data-dir', data, ...args]);

  beforeAll(async () => {
    await cli('init');
    expect((await cli('ingest', '--dir', cohort)).exitCode).toBe(0);
  });

  it('lists the rules, replays a week, and a rerun of the last day creates nothing', async () => {
    const rules = await json<{ rules: { id: string; visibility: string }[] }>('triggers', 'rules');
    expect(rules.json.rules).toHaveLength(13);

    const week = await json<{ runs: { as_of: string; opened: number }[] }>('triggers', 'run', '--as-of', '2026-01-12', '--until', '2026-01-16');
    expect(week.result.exitCode).toBe(0);
    expect(week.json.runs.map((r) => r.as_of)).toEqual(['2026-01-12', '2026-01-13', '2026-01-14', '2026-01-15', '2026-01-16']);
    expect(week.json.runs[0]!.opened).toBeGreaterThan(20);

    const before = await json<View[]>('triggers', 'list', '--limit', '100000');
    const again = await json<{ runs: { opened: number; updated: number; escalated: number; expired: number }[] }>('triggers', 'run', '--as-of', '2026-01-16');
    expect(again.json.runs[0]).toMatchObject({ opened: 0, updated: 0, escalated: 0, expired: 0 });
    expect((await json<View[]>('triggers', 'list', '--limit', '100000')).json).toEqual(before.json);

    const back = await cli('triggers', 'run', '--as-of', '2026-01-10');
    expect(back.exitCode).toBe(2);
    expect(back.stderr).toMatch(/already been run for 2026-01-16/);
  });

  it('filters lists by what the role or staff member may see', async () => {
    const teacher = await json<View[]>('triggers', 'list', '--role', 'teacher', '--limit', '100000');
    expect(teacher.result.exitCode).toBe(0);
    expect(teacher.json.length).toBeGreaterThan(0);
    for (const t of teacher.json) {
      for (const key of ['id', 'student_id', 'rule', 'family', 'role', 'staff_id', 'status', 'opened_on']) expect(t).toHaveProperty(key);
      expect(t.role).toBe('teacher');
    }
    expect(teacher.result.stdout).not.toMatch(welfareWords);

    const coordinator = await json<View[]>('triggers', 'list', '--limit', '100000');
    expect(new Set(coordinator.json.map((t) => t.family))).not.toContain('wellbeing');
    expect(coordinator.result.stdout).not.toMatch(welfareWords);

    // A welfare professional sees their own welfare triggers, and only theirs.
    const welfare: View[] = [];
    for (const role of ['nurse', 'social_worker', 'psychologist']) welfare.push(...(await json<View[]>('triggers', 'list', '--role', role, '--limit', '100000')).json);
    expect(welfare.length).toBeGreaterThan(0);
    const professional = welfare[0]!.staff_id!;
    const own = await json<View[]>('triggers', 'list', '--staff', professional, '--limit', '100000');
    expect(own.json.length).toBeGreaterThan(0);
    expect(own.json.every((t) => t.staff_id === professional)).toBe(true);
    expect(own.json.some((t) => t.family === 'wellbeing' || t.family === 'help_request')).toBe(true);

    const leadership = await json<View[]>('triggers', 'list', '--role', 'leadership');
    expect(leadership.json).toEqual([]);
  });

  it('acknowledges, resolves through an intervention, and refuses a teacher on a welfare trigger', async () => {
    const open = (await json<View[]>('triggers', 'list', '--status', 'open', '--limit', '100000')).json.find((t) => t.staff_id !== null && t.role !== 'guidance_counsellor')!;
    expect((await cli('triggers', 'ack', open.id, '--staff', open.staff_id!, '--on', '2026-01-16')).exitCode).toBe(0);
    const iv = await json<{ intervention_id: string; trigger_id: string }>(
      'interventions', 'add', '--student', open.student_id, '--staff', open.staff_id!, '--role', open.role, '--type', 'meeting', '--date', '2026-01-16', '--trigger', open.id,
    );
    expect(iv.result.exitCode).toBe(0);
    const shown = await json<View & { outcome: string; history: { event: string }[] }>('triggers', 'show', open.id, '--role', open.role);
    expect(shown.json).toMatchObject({ status: 'resolved', outcome: 'intervention:meeting' });
    expect(shown.json.history.map((h) => h.event)).toEqual(expect.arrayContaining(['opened', 'acknowledged', 'resolved']));
    const listed = await json<{ intervention_id: string }[]>('interventions', 'list', '--student', open.student_id, '--role', open.role);
    expect(listed.json.map((i) => i.intervention_id)).toContain(iv.json.intervention_id);

    let welfare: View | undefined;
    for (const role of ['nurse', 'social_worker', 'psychologist']) welfare ??= (await json<View[]>('triggers', 'list', '--role', role, '--status', 'open', '--limit', '1')).json[0];
    if (!welfare) throw new Error('the fixture week should have an open welfare trigger');
    const refused = await cli('triggers', 'ack', welfare.id, '--staff', open.staff_id!);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`No trigger ${welfare.id} visible to ${open.staff_id}`));
    const hidden = await cli('triggers', 'show', welfare.id, '--role', 'teacher');
    expect(hidden.exitCode).toBe(2);
    expect(hidden.stdout).toBe('');
  });

  it('refuses a provider rule with an unknown column, naming the file, rule and field', async () => {
    const own = tempDir({
      'rules/mine.yaml': stringify({
        id: 'my_rule', family: 'performance', title: { fi: 'a', sv: 'b', en: 'c' }, description: 'd', condition: 'absences_2w > 3',
        roles: ['teacher'], visibility: 'ordinary', severity: 'low', cooldown_days: 1, expires_after_days: 1, message: { fi: 'a', sv: 'b', en: 'c' }, next_step: { fi: 'a', sv: 'b', en: 'c' },
      }),
      'kiinni.yaml': stringify({ triggers: { rules_dir: 'rules' } }),
    });
    const r = await cli('--config', path.join(own, 'kiinni.yaml'), 'triggers', 'rules');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/mine.yaml: rule my_rule, field condition: .*absences_2w/);
  });

  it('a SIGKILL in the middle of a replay leaves whole days, and running it again ends as an uninterrupted replay', async () => {
    const replay = ['triggers', 'run', '--as-of', '2026-02-02', '--until', '2026-02-27'];
    const clean = tempDir();
    const killed = tempDir();
    for (const dir of [clean, killed]) {
      await runCli(['--data-dir', dir, 'init']);
      expect((await runCli(['--data-dir', dir, 'ingest', '--dir', cohort])).exitCode).toBe(0);
    }
    expect((await runCli(['--data-dir', clean, ...replay])).exitCode).toBe(0);

    const child = startCli(['--data-dir', killed, ...replay]);
    const lock = path.join(killed, 'kiinni.lock');
    while (!existsSync(lock)) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 1500)); // a few days into the four-week replay
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const partial = await runCliJson<View[]>(['--data-dir', killed, 'triggers', 'list', '--limit', '100000']);
    expect(partial.result.exitCode).toBe(0);
    const full = await runCliJson<View[]>(['--data-dir', clean, 'triggers', 'list', '--limit', '100000']);
    expect(partial.json).not.toEqual(full.json); // the kill did land mid-replay

    const resumed = await runCli(['--data-dir', killed, ...replay]);
    expect(resumed.exitCode).toBe(0);
    for (const view of [[], ['--role', 'nurse'], ['--role', 'social_worker'], ['--role', 'psychologist'], ['--role', 'guidance_counsellor']]) {
      const list = (dir: string) => runCliJson<View[]>(['--data-dir', dir, 'triggers', 'list', '--limit', '100000', ...view]);
      expect((await list(killed)).json, view.join(' ')).toEqual((await list(clean)).json);
    }
  }, 180_000);
});
