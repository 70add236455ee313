#!/usr/bin/env node
// Ingest benchmark (issue #3): N attendance rows loaded with `kiinni ingest` against DuckDB's own
// read_csv into a plain table, measured in the same run on the same file. Prints time, peak RSS
// and the ratio. The two take turns `--rounds` times on the same file (each kiinni turn into a
// fresh data directory) and the medians are compared: one pair's ratio moves by a tenth with a
// shared machine's pace. Usage: npm run bench:ingest -- [--rows 10000000] [--rounds 3] [--json]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { median } from 'simple-statistics';
import { args, measureChild as measure, num, repoRoot as root, workDir } from './lib/harness.js';

const a = args('bench-ingest', { rows: { type: 'string', default: '10000000' }, rounds: { type: 'string', default: '3' } });
const rows = num('rows', a.rows);
const rounds = num('rounds', a.rounds);
const asJson = a.json;
const studentsN = Math.max(1000, Math.round(rows / 190));
const work = workDir('bench-ingest');
const log = (s: string) => void (!asJson && process.stderr.write(s + '\n'));

async function generate(n: number, dir: string): Promise<{ students: string; attendance: string }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const students = path.join(dir, 'students.csv');
  const attendance = path.join(dir, 'attendance.csv');
  await c.run(`COPY (SELECT 'S' || lpad(CAST(i AS VARCHAR), 7, '0') AS student_id, 'Unit ' || (i % 7) AS unit, 'ict' AS programme,
      'vocational' AS education_type, 'G' || (i % 400) AS "group", DATE '2024-08-12' AS study_right_start, DATE '2027-06-01' AS planned_end,
      2008 AS birth_year, 'unknown' AS gender, 'fi' AS home_language, 'joint' AS admission_route, true AS first_choice, 7.5 AS prior_gpa,
      'none' AS prior_special_support, 0 AS prior_interruptions, false AS lives_independently FROM range(${studentsN}) t(i)) TO '${students}' (HEADER)`);
  await c.run(`COPY (SELECT 'S' || lpad(CAST(i % ${studentsN} AS VARCHAR), 7, '0') AS student_id,
      DATE '2024-08-12' + CAST(i // ${studentsN} AS INTEGER) AS date, 6 AS lessons_scheduled,
      CAST(hash(i, 1) % 20 = 0 AS INTEGER) * 2 AS absent_excused, CAST(hash(i, 2) % 25 = 0 AS INTEGER) AS absent_unexcused,
      CAST(hash(i, 3) % 10 = 0 AS INTEGER) AS late FROM range(${n}) t(i)) TO '${attendance}' (HEADER)`);
  c.closeSync();
  db.closeSync();
  return { students, attendance };
}

const referenceScript = `
  import { DuckDBInstance } from '@duckdb/node-api';
  const db = await DuckDBInstance.create(process.argv[1]);
  const c = await db.connect();
  await c.run("CREATE TABLE attendance AS SELECT * FROM read_csv('" + process.argv[2] + "')");
  await c.run('CHECKPOINT');
  c.closeSync(); db.closeSync();`;

type Measured = Awaited<ReturnType<typeof measure>>;

async function runOnce(n: number) {
  const dir = mkdtempSync(path.join(work, `n${n}-`));
  log(`generating ${n.toLocaleString('en')} attendance rows for ${studentsN.toLocaleString('en')} students …`);
  const files = await generate(n, dir);
  const mb = statSync(files.attendance).size / 1e6;
  log(`  ${mb.toFixed(0)} MB; reference: DuckDB read_csv → plain table …`);
  const kiinni = path.join(root, 'bin', 'kiinni.js');
  const turns: { ref: Measured; ours: Measured }[] = [];
  let again: Measured | undefined;
  for (let t = 0; t < rounds; t++) {
    rmSync(path.join(dir, 'ref.duckdb'), { force: true });
    const ref = await measure(process.execPath, ['--input-type=module', '-e', referenceScript, path.join(dir, 'ref.duckdb'), files.attendance]);
    const data = path.join(dir, `data-${t}`);
    await measure(process.execPath, [kiinni, '--data-dir', data, 'init']);
    await measure(process.execPath, [kiinni, '--data-dir', data, 'ingest', 'students', files.students]);
    const ours = await measure(process.execPath, [kiinni, '--data-dir', data, '--json', 'ingest', 'attendance', files.attendance]);
    const report = JSON.parse(ours.stdout) as { totals: { rows_loaded: number } };
    if (report.totals.rows_loaded !== n) throw new Error(`loaded ${report.totals.rows_loaded} of ${n} rows`);
    log(`  turn ${t + 1}: reference ${ref.seconds.toFixed(2)} s, kiinni ingest ${ours.seconds.toFixed(2)} s (ratio ${(ours.seconds / ref.seconds).toFixed(2)})`);
    if (t === 0) again = await measure(process.execPath, [kiinni, '--data-dir', data, '--json', 'ingest', 'attendance', files.attendance]);
    rmSync(data, { recursive: true, force: true });
    turns.push({ ref, ours });
  }
  const ref = { seconds: median(turns.map((x) => x.ref.seconds)), peak_rss_mib: Math.max(...turns.map((x) => x.ref.peak_rss_mib)) };
  const ours = { seconds: median(turns.map((x) => x.ours.seconds)), peak_rss_mib: Math.max(...turns.map((x) => x.ours.peak_rss_mib)) };
  rmSync(dir, { recursive: true, force: true });
  return {
    rows: n,
    file_mb: Math.round(mb),
    reference: { seconds: +ref.seconds.toFixed(2), peak_rss_mib: ref.peak_rss_mib },
    kiinni: { seconds: +ours.seconds.toFixed(2), peak_rss_mib: ours.peak_rss_mib, rows_per_second: Math.round(n / ours.seconds) },
    reingest_seconds: +again!.seconds.toFixed(2),
    ratio: +(ours.seconds / ref.seconds).toFixed(2),
    turn_ratios: turns.map((x) => +(x.ours.seconds / x.ref.seconds).toFixed(2)),
  };
}

try {
  const results: Awaited<ReturnType<typeof runOnce>>[] = [];
  for (const n of [Math.round(rows / 10), rows]) results.push(await runOnce(n));
  const out = { cores: os.cpus().length, node: process.version, results };
  if (asJson) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else {
    console.log(`\nkiinni ingest vs DuckDB read_csv (same file, same run; ${out.cores} cores)`);
    console.log(`medians of ${rounds} turn${rounds > 1 ? 's' : ''}; peak RSS the highest of the turns`);
    console.log('rows        file MB  reference s  kiinni s  ratio  ref RSS MiB  kiinni RSS MiB  re-ingest s  each turn');
    for (const r of results) {
      console.log(
        `${String(r.rows).padEnd(10)}  ${String(r.file_mb).padStart(7)}  ${r.reference.seconds.toFixed(2).padStart(11)}  ${r.kiinni.seconds.toFixed(2).padStart(8)}  ${r.ratio.toFixed(2).padStart(5)}  ${String(r.reference.peak_rss_mib).padStart(11)}  ${String(r.kiinni.peak_rss_mib).padStart(14)}  ${r.reingest_seconds.toFixed(2).padStart(11)}  ${r.turn_ratios.join(' ')}`,
      );
    }
    console.log(`target: ratio ≤ 1.5 → ${results.at(-1)!.ratio <= 1.5 ? 'met' : 'NOT met'}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
