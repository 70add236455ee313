import { escapeHtml } from '../core/html.js';
import type { Warehouse, Row } from '../db/warehouse.js';
import { ident } from '../db/sql.js';
import { ErrorCode, KiinniError } from '../core/errors.js';

/** Tables holding rows about a student: every warehouse table with a student_id column (found, not listed, so a new one is never missed). */
export async function studentTables(db: Warehouse): Promise<string[]> {
  const rows = await db.all(
    // Base tables only: a view (current_risk_scores) shows rows a table already holds.
    `SELECT DISTINCT c.table_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
     WHERE c.column_name = 'student_id' AND c.table_schema = 'main' AND c.table_catalog = current_database() AND t.table_type = 'BASE TABLE'
       AND c.table_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY 1`,
  );
  return rows.map((r) => String(r['table_name']));
}

export interface SubjectAccessExport {
  student_id: string;
  generated_at: string;
  /** Table name → its rows about the student (dates as text). */
  sections: { table: string; rows: Row[] }[];
}

/**
 * Everything the warehouse holds about one student (GDPR art. 15): every table with a
 * student_id column, the history of their triggers, quarantined rows that name them, and the
 * audit log of who looked at their data.
 */
export async function subjectAccess(db: Warehouse, studentId: string, now: Date): Promise<SubjectAccessExport> {
  if (!(await db.one(`SELECT 1 AS ok FROM students WHERE student_id = $id`, { id: studentId }))) {
    throw new KiinniError(ErrorCode.NotFound, `No student ${studentId} in the warehouse.`);
  }
  const sections: SubjectAccessExport['sections'] = [];
  for (const table of await studentTables(db)) {
    const cols = (await db.all(`SELECT column_name FROM information_schema.columns WHERE table_name = $t AND table_schema = 'main' AND table_catalog = current_database() ORDER BY ordinal_position`, { t: table }))
      .map((r) => String(r['column_name']))
      .filter((c) => c !== '_ingest_id');
    const rows = await db.all(`SELECT ${cols.map((c) => `${ident(c)}::VARCHAR AS ${ident(c)}`).join(', ')} FROM ${ident(table)} WHERE student_id = $id`, { id: studentId });
    sections.push({ table, rows });
  }
  sections.push({
    table: 'trigger_events',
    rows: await db.all(`SELECT e.trigger_id, e.on_date::VARCHAR AS on_date, e.event, e.role, e.staff_id, e.detail FROM trigger_events e JOIN triggers t USING (trigger_id) WHERE t.student_id = $id ORDER BY e.recorded_at`, { id: studentId }),
  });
  sections.push({
    table: 'quarantine',
    rows: await db.all(`SELECT kind, file_name, line, column_name, reason, value, row_json FROM quarantine WHERE contains(row_json, $needle) ORDER BY quarantined_at`, { needle: JSON.stringify(studentId) }),
  });
  return { student_id: studentId, generated_at: now.toISOString(), sections };
}

const titles: Record<string, string> = {
  students: 'Background (taustadata)',
  study_right_events: 'Study right events',
  course_progress: 'Course progress (suoritusdata)',
  attendance: 'Attendance',
  wellbeing: 'Well-being answers',
  interventions: 'Support recorded',
  assignments: 'Responsible staff',
  triggers: 'Triggers (herätteet)',
  trigger_events: 'Trigger history',
  risk_scores: 'Risk scores',
  checkin_plans: 'Check-ins sent',
  checkin_candidates: 'Check-in planning',
  checkin_optouts: 'Check-in opt-out',
  audit_log: 'Who looked at or changed this data',
  quarantine: 'Rejected input rows naming the student',
};


/** The export as one self-contained, readable HTML document. */
export function subjectAccessHtml(x: SubjectAccessExport): string {
  const body = x.sections
    .map((s) => {
      const title = titles[s.table] ?? s.table;
      if (!s.rows.length) return `<section><h2>${escapeHtml(title)}</h2><p>No data.</p></section>`;
      const cols = Object.keys(s.rows[0]!);
      return `<section><h2>${escapeHtml(title)}</h2><table><caption>${escapeHtml(s.table)}: ${s.rows.length} rows</caption><thead><tr>${cols.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${s.rows
        .map((r) => `<tr>${cols.map((c) => `<td>${escapeHtml(r[c])}</td>`).join('')}</tr>`)
        .join('')}</tbody></table></section>`;
    })
    .join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Data held about ${escapeHtml(x.student_id)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}table{border-collapse:collapse;font-size:.85rem}th,td{border:1px solid #aaa;padding:.2rem .4rem;text-align:left}thead th{background:#eef1f5}</style></head>
<body><h1>Data held about student ${escapeHtml(x.student_id)}</h1><p>Everything in the kiinni warehouse about this student on ${escapeHtml(x.generated_at.slice(0, 10))} (GDPR article 15).</p>
${body}</body></html>\n`;
}
