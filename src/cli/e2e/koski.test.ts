import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Warehouse } from '../../db/warehouse.js';
import { runCli, runCliJson } from '../../testing/cli.js';
import { tempDir } from '../../testing/temp-dir.js';

const env = { KIINNI_PSEUDONYM_KEY: 'e2e-test-pseudonym-key-0123' };

/** What both routes must agree on: students, their events, and credits earned. */
async function picture(data: string) {
  const db = await Warehouse.open(path.join(data, 'kiinni.duckdb'), { readOnly: true });
  try {
    return {
      students: await db.all(`SELECT student_id, education_type, strftime(study_right_start, '%Y-%m-%d') AS start, birth_year FROM students ORDER BY 1`),
      events: await db.all(`SELECT student_id, strftime(date, '%Y-%m-%d') AS date, event FROM study_right_events ORDER BY 1, 2, 3`),
      credits: await db.all(`SELECT student_id, sum(credits) FILTER (WHERE status = 'completed') AS earned FROM course_progress GROUP BY 1 ORDER BY 1`),
    };
  } finally {
    db.close();
  }
}

async function everything(data: string): Promise<string> {
  const db = await Warehouse.open(path.join(data, 'kiinni.duckdb'), { readOnly: true });
  try {
    const tables = await db.all(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'`);
    let out = '';
    for (const t of tables) out += JSON.stringify(await db.all(`SELECT * FROM "${String(t['table_name'])}"`));
    return out.toLowerCase();
  } finally {
    db.close();
  }
}

describe('kiinni ingest koski (real CLI)', () => {
  it('the generated KOSKI export gives the same students, events and credits as the CSV route, stores no identifier, and loads again as unchanged', async () => {
    const gen = tempDir();
    for (const [out, format] of [['csv', 'csv'], ['koski', 'koski']] as const) {
      expect((await runCli(['fixtures', 'generate', '--students', '150', '--seed', '9', '--out', path.join(gen, out), '--format', format])).exitCode).toBe(0);
    }
    const viaCsv = tempDir();
    const viaKoski = tempDir();
    for (const d of [viaCsv, viaKoski]) expect((await runCli(['--data-dir', d, 'init'])).exitCode).toBe(0);
    expect((await runCli(['--data-dir', viaCsv, 'ingest', '--dir', path.join(gen, 'csv')])).exitCode).toBe(0);
    const k = await runCliJson<{ exports: { status: string; rows_quarantined: number; counts: { documents: number; students: number } }[] }>(['--data-dir', viaKoski, 'ingest', 'koski', path.join(gen, 'koski', 'koski')], { env });
    expect(k.result.exitCode).toBe(0);
    expect(k.json.exports[0]).toMatchObject({ status: 'loaded', rows_quarantined: 0, counts: { documents: 150, students: 150 } });
    // The register's other exports (attendance, well-being …) join the KOSKI students by id.
    expect((await runCli(['--data-dir', viaKoski, 'ingest', '--dir', path.join(gen, 'koski')])).exitCode).toBe(0);
    expect(await picture(viaKoski)).toEqual(await picture(viaCsv));
    const again = await runCliJson<{ exports: { status: string }[] }>(['--data-dir', viaKoski, 'ingest', 'koski', path.join(gen, 'koski', 'koski')], { env });
    expect(again.json.exports[0]!.status).toBe('unchanged');
    // No identity code, no OID, no name from the documents anywhere in the warehouse.
    const all = await everything(viaKoski);
    const dir = path.join(gen, 'koski', 'koski');
    for (const f of readdirSync(dir).slice(0, 40)) {
      const doc = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { henkilö: { hetu: string; oid: string; sukunimi: string }; opiskeluoikeudet: { oid: string }[] };
      expect(all).not.toContain(doc.henkilö.hetu.toLowerCase());
      expect(all).not.toContain(doc.henkilö.oid);
      expect(all).not.toContain(doc.opiskeluoikeudet[0]!.oid);
      expect(all).not.toContain(`"${doc.henkilö.sukunimi.toLowerCase()}"`);
    }
  }, 120_000);

  it('refuses without a pseudonym key (exit 2), and tells a JSON-lines route how to load a pretty document', async () => {
    const data = tempDir();
    expect((await runCli(['--data-dir', data, 'init'])).exitCode).toBe(0);
    const file = path.join(tempDir(), 'oppija.json');
    writeFileSync(file, JSON.stringify({ henkilö: { oid: '1.2.246.562.24.00000000001' }, opiskeluoikeudet: [] }, null, 2));
    const noKey = await runCli(['--data-dir', data, 'ingest', 'koski', file], { env: { KIINNI_PSEUDONYM_KEY: '' } });
    expect(noKey.exitCode).toBe(2);
    expect(noKey.stderr).toMatch(/KIINNI_PSEUDONYM_KEY/);
    const wrongRoute = await runCliJson<{ files: { message: string; hint: string }[] }>(['--data-dir', data, 'ingest', 'students', file]);
    expect(wrongRoute.result.exitCode).toBe(3);
    expect(wrongRoute.json.files[0]!.message).toMatch(/one JSON object per line expected/);
    expect(wrongRoute.json.files[0]!.hint).toMatch(/jq -c.*ingest koski/);
  });

  it('the nightly pipeline loads inbox/koski/ first, then the register exports that refer to its students', async () => {
    const gen = tempDir();
    expect((await runCli(['fixtures', 'generate', '--students', '120', '--seed', '4', '--out', gen, '--format', 'koski'])).exitCode).toBe(0);
    const data = tempDir();
    expect((await runCli(['--data-dir', data, 'init'])).exitCode).toBe(0);
    mkdirSync(path.join(data, 'inbox', 'koski'), { recursive: true });
    cpSync(path.join(gen, 'koski'), path.join(data, 'inbox', 'koski', 'export-2026-06-30'), { recursive: true });
    for (const kind of ['staff', 'assignments', 'attendance', 'wellbeing', 'interventions']) {
      mkdirSync(path.join(data, 'inbox', kind), { recursive: true });
      cpSync(path.join(gen, `${kind}.csv`), path.join(data, 'inbox', kind, `${kind}.csv`));
    }
    const run = await runCliJson<{ status: string; steps: { step: string; summary: { loaded: number; refused: number; rows_quarantined: number } }[] }>(['--data-dir', data, 'run', 'nightly', '--as-of', '2026-02-16'], { env });
    expect(run.result.exitCode, run.result.stderr).toBe(0);
    expect(run.json.steps.find((s) => s.step === 'ingest')!.summary).toMatchObject({ loaded: 6, refused: 0, rows_quarantined: 0 });
    expect(readdirSync(path.join(data, 'archive', 'koski', '2026-02-16'))).toHaveLength(1);
  }, 180_000);
});
