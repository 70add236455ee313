import path from 'node:path';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { defaultConfig } from '../core/config.js';
import { migrate } from '../db/migrate.js';
import { Warehouse } from '../db/warehouse.js';
import { allMigrations } from '../app/index.js';
import { loadRules, runTriggers } from '../triggers/index.js';
import { buildSchool, insertRows, student } from './school.js';
import { tempDir } from './temp-dir.js';
import { testEffects, testNow } from './warehouse.js';

/**
 * A small school for the workspace tests, in a data directory: S1 and S2 in group G1 (every
 * role assigned), S9 in group G2 (nobody's). On 15 Oct 2025 S1 has a health help request (a
 * nurse's welfare trigger), a studies help request (the counsellor's) and five weeks of
 * absences (the group supervisor's); S9 has absences too.
 */
export async function workspaceSchool(): Promise<{ dataDir: string; triggers: Record<string, string> }> {
  const dataDir = tempDir();
  const db = await Warehouse.open(path.join(dataDir, 'kiinni.duckdb'));
  try {
    await migrate(db, allMigrations, testNow);
    await buildSchool(db, [student('S1', { given_name: 'Aino', family_name: 'Virtanen' }), student('S2'), student('S9', { group: 'G2' })]);
    const weeks = (id: string) =>
      ['2025-09-15', '2025-09-22', '2025-09-29', '2025-10-06', '2025-10-13'].map((date) => ({ student_id: id, date, lessons_scheduled: 30, absent_excused: 0, absent_unexcused: 12, late: 0 }));
    await insertRows(db, 'attendance', [...weeks('S1'), ...weeks('S9')]);
    const need = (category: string, minute: string) => ({ student_id: 'S1', answered_at: `2025-10-15 09:${minute}:00`, source: 'check-in', item: 'need', value: null, need_help: true, need_category: category });
    await insertRows(db, 'wellbeing', [need('health', '30'), need('studies', '31')]);
    await runTriggers(db, await loadRules(defaultConfig()), { asOf: '2025-10-15' }, testEffects);
    const rows = await db.all(`SELECT rule_id, student_id, trigger_id FROM triggers ORDER BY 1, 2`);
    const triggers = Object.fromEntries(rows.map((r) => [`${String(r['rule_id'])}/${String(r['student_id'])}`, String(r['trigger_id'])]));
    return { dataDir, triggers };
  } finally {
    db.close();
  }
}

/**
 * The sign-in link in the newest sign-in e-mail to `email` in the outbox. The server sends
 * sign-in mail after answering the request, so this waits for it (up to 10 s).
 */
export async function linkFromOutbox(dataDir: string, email: string): Promise<string> {
  const dir = path.join(dataDir, 'outbox', 'sign-in');
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.eml')).sort().reverse()) {
      const mail = await simpleParser(readFileSync(path.join(dir, f)));
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      const url = to?.text.includes(email) ? /https?:\/\/\S+\/auth\/link\?token=\S+/.exec(mail.text ?? '')?.[0] : undefined;
      if (url) return url;
    }
  }
  throw new Error(`no sign-in e-mail to ${email}`);
}
