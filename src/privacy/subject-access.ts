import { html, joinHtml, unsafeRawHtml } from '../core/html.js';
import { formatDate, hasMessage, translator, type Language } from '../i18n/index.js';
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

/** The export as one self-contained, readable HTML document in the reader's language. */
export function subjectAccessHtml(x: SubjectAccessExport, lang: Language = 'fi'): string {
  const t = translator(lang);
  const sections = x.sections.map((s) => {
    const key = `privacy.section.${s.table}`;
    const title = hasMessage(key) ? t(key) : s.table;
    if (!s.rows.length) return html`<section><h2>${title}</h2><p>${t('privacy.no_data')}</p></section>`;
    const cols = Object.keys(s.rows[0]!);
    return html`<section><h2>${title}</h2><table><caption>${t('privacy.rows', { table: s.table, rows: s.rows.length })}</caption><thead><tr>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead><tbody>${s.rows.map(
      (r) => html`<tr>${cols.map((c) => html`<td>${r[c] === null || r[c] === undefined ? '' : String(r[c])}</td>`)}</tr>`,
    )}</tbody></table></section>`;
  });
  return html`<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8"><title>${t('privacy.title', { id: x.student_id })}</title>
<style>${unsafeRawHtml(css)}</style></head>
<body><h1>${t('privacy.title', { id: x.student_id })}</h1><p>${t('privacy.intro', { date: formatDate(lang, x.generated_at.slice(0, 10)) })}</p>
${joinHtml(sections, '\n')}</body></html>
`.text;
}

const css = 'body{font-family:system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}table{border-collapse:collapse;font-size:.85rem}th,td{border:1px solid #aaa;padding:.2rem .4rem;text-align:left}thead th{background:#eef1f5}';
