#!/usr/bin/env node
// KOSKI conformance: ingests each KOSKI document of a directory as its own export into a fresh
// temporary warehouse and prints, as JSON, per file and in total: study rights loaded and skipped
// by type, events by kind, courses loaded and quarantined with reasons — and whether anything
// identifying (an identity code, an OID, a name from the input) reached any table.
// Exit 1 on a refused export, a quarantined row or an identifier in the warehouse.
// Usage: npm run -s check:koski -- DIR [--names]
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { allMigrations } from '../src/app/index.js';
import { silentLogger } from '../src/core/log.js';
import { migrate } from '../src/db/migrate.js';
import { Warehouse } from '../src/db/warehouse.js';
import { ingestKoski, pseudonymiser } from '../src/koski/index.js';
import { args, workDir } from './lib/harness.js';

const a = args('check-koski', { names: { type: 'boolean', default: false } }, [], 'DIR');
const dir = a.positionals[0]!;
const names = a.names;
const pseudonyms = pseudonymiser({ KIINNI_PSEUDONYM_KEY: 'conformance-check-key-not-secret' });

/** Everything in the input that identifies a person: identity codes, OIDs, names. */
function identifiers(text: string): Set<string> {
  const doc = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  const people = (Array.isArray(doc) ? doc : [doc]).map((d) => ((d as Record<string, unknown>)['henkilö'] ?? {}) as Record<string, unknown>);
  const found = new Set<string>();
  for (const p of people) {
    if (typeof p['hetu'] === 'string') found.add(p['hetu'].toLowerCase());
    if (!names) for (const k of ['etunimet', 'kutsumanimi', 'sukunimi']) for (const w of String(p[k] ?? '').split(/[\s-]+/)) if (w.length >= 3) found.add(w.toLowerCase());
  }
  for (const m of text.matchAll(/1\.2\.246\.562\.\d+\.\d+/g)) found.add(m[0]);
  return found;
}

const files = readdirSync(dir).filter((f) => /\.(json|jsonl)$/i.test(f)).sort();
if (!files.length) {
  process.stderr.write(`${dir}: no .json or .jsonl files\n`);
  process.exit(1);
}
const perFile: unknown[] = [];
const total: { files: number; refused: number; study_rights_loaded: number; skipped_by_type: Record<string, number>; events_by_kind: Record<string, number>; courses_loaded: number; rows_quarantined: number; identifiers_found: number } = { files: 0, refused: 0, study_rights_loaded: 0, skipped_by_type: {}, events_by_kind: {}, courses_loaded: 0, rows_quarantined: 0, identifiers_found: 0 };
const add = (into: Record<string, number>, from: Record<string, number>) => Object.entries(from).forEach(([k, n]) => (into[k] = (into[k] ?? 0) + n));
for (const f of files) {
  const tmp = workDir('koski-check');
  const db = await Warehouse.open(path.join(tmp, 'kiinni.duckdb'));
  try {
    await migrate(db, allMigrations, new Date());
    const r = await ingestKoski(db, path.join(dir, f), { pseudonyms, names }, { logger: silentLogger(), clock: () => new Date() });
    const quarantine = await db.all(`SELECT kind, column_name, reason, count(*) AS n FROM quarantine GROUP BY ALL ORDER BY n DESC`);
    const tables = await db.all(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'`);
    let dump = '';
    let personal = '';
    for (const t of tables) {
      const rows = JSON.stringify(await db.all(`SELECT * FROM "${String(t['table_name'])}"`)).toLowerCase();
      dump += rows;
      // The export's own file name (in the ingest log) may share a word with a test person's name.
      personal += t['table_name'] === 'ingest_log' || t['table_name'] === 'quarantine' ? '' : rows;
    }
    const leaked = [...identifiers(readFileSync(path.join(dir, f), 'utf8'))].filter((x) => (/^[0-9]|^1\.2\./.test(x) ? dump : personal).includes(x.toLowerCase()));
    const courses = r.loads.find((l) => l.kind === 'course_progress');
    const row = {
      file: f,
      status: r.status,
      study_rights_loaded: r.counts.students,
      skipped_by_type: r.counts.skipped_by_type,
      dropped: r.counts.dropped,
      events_by_kind: r.counts.events_by_kind,
      courses_loaded: courses?.rows_loaded ?? 0,
      courses_quarantined: courses?.rows_quarantined ?? 0,
      rows_quarantined: r.rows_quarantined,
      quarantine_reasons: quarantine,
      course_notes: { in_progress: r.counts.courses_in_progress, without_credits: r.counts.courses_without_credits, dated_by_certificate: r.counts.courses_dated_by_certificate, evaluated_without_date: r.counts.courses_evaluated_without_date, repeated_codes: r.counts.repeated_course_codes, in_kurssi: r.counts.credits_in_kurssi },
      identifiers_found: leaked.length,
      message: r.message,
    };
    perFile.push(row);
    total.files++;
    if (r.status === 'refused') total.refused++;
    total.study_rights_loaded += row.study_rights_loaded;
    add(total.skipped_by_type, row.skipped_by_type);
    add(total.events_by_kind, row.events_by_kind);
    total.courses_loaded += row.courses_loaded;
    total.rows_quarantined += row.rows_quarantined;
    total.identifiers_found += leaked.length;
  } finally {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
const ok = total.refused === 0 && total.rows_quarantined === 0 && total.identifiers_found === 0;
process.stdout.write(JSON.stringify({ ok, total, files: perFile }, null, 2) + '\n');
process.exit(ok ? 0 : 1);
