import type { FastifyInstance } from 'fastify';
import { daysBetween } from '../../core/dates.js';
import { severities } from '../../core/vocabulary.js';
import { formatDate, valueWord, type Language, translator } from '../../i18n/index.js';
import { storedTrigger, acknowledgeTrigger, addNote, handOverRoles, handOverTrigger, takeTrigger, liveRoutedList, notesFor, resolutionOutcomes, resolveTrigger, viewTrigger, listTrigger, type ResolutionOutcome, type TriggerSummary } from '../../triggers/index.js';
import type { SignedIn } from '../auth.js';
import { formField, PageError, param, studentRoles, type Workspace } from '../context.js';
import { maySee } from '../../core/roles.js';
import { hidden, href, html, link as link2, type Html } from '../html.js';
import { lastCaseloadVisit, studentBasics, visitDay } from '../queries.js';
import { interventionForm, noteField, noteInput, notesList } from './students.js';

const severityRank: Record<string, number> = { high: 0, medium: 1, low: 2 };
const PAGE = 50;
type SortKey = 'severity' | 'days' | 'name' | 'group';
interface CaseloadQuery {
  new: boolean;
  severity: string | undefined;
  status: string | undefined;
  group: string | undefined;
  rule: string | undefined;
  sort: SortKey;
  page: number;
}
interface CaseloadRow {
  studentId: string;
  name: string;
  group: string;
  triggers: TriggerSummary[];
  severity: string;
  daysOpen: number;
  isNew: boolean;
}

/** The caseload's filters from the query string; anything unknown is ignored, never echoed. */
function caseloadQuery(query: unknown): CaseloadQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const one = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined);
  const sort = one('sort');
  const page = Number(one('page') ?? '1');
  return {
    new: one('new') === '1',
    severity: (severities as readonly string[]).includes(one('severity') ?? '') ? one('severity') : undefined,
    status: one('status') === 'open' || one('status') === 'acknowledged' ? one('status') : undefined,
    group: one('group')?.slice(0, 64),
    rule: one('rule')?.slice(0, 64),
    sort: sort === 'days' || sort === 'name' || sort === 'group' ? sort : 'severity',
    page: Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
}

const queryString = (q: CaseloadQuery): string => {
  const p = new URLSearchParams();
  if (q.new) p.set('new', '1');
  for (const k of ['severity', 'status', 'group', 'rule'] as const) if (q[k]) p.set(k, q[k]!);
  if (q.sort !== 'severity') p.set('sort', q.sort);
  if (q.page > 1) p.set('page', String(q.page));
  return p.toString();
};

/** One row per student: their live triggers for me, the highest severity, the longest open, and whether anything is new since my last visit. */
function caseloadRows(views: readonly TriggerSummary[], basics: Map<string, { name: string; group: string }>, lastVisit: string | null, today: string): CaseloadRow[] {
  const byStudent = new Map<string, TriggerSummary[]>();
  for (const v of views) {
    const list = byStudent.get(v.student_id);
    if (list) list.push(v);
    else byStudent.set(v.student_id, [v]);
  }
  return [...byStudent.entries()].map(([id, vs]) => {
    vs.sort((a, b) => (severityRank[a.severity] ?? 9) - (severityRank[b.severity] ?? 9) || b.opened_on.localeCompare(a.opened_on));
    const b = basics.get(id);
    return {
      studentId: id,
      name: b?.name ?? id,
      group: b?.group ?? '',
      triggers: vs,
      severity: vs[0]!.severity,
      daysOpen: Math.max(...vs.map((v) => daysBetween(v.opened_on, today))),
      isNew: lastVisit === null || vs.some((v) => v.opened_on >= lastVisit || (v.escalated_on !== null && v.escalated_on >= lastVisit)),
    };
  });
}

const matches = (r: CaseloadRow, q: CaseloadQuery): boolean =>
  (!q.new || r.isNew) && (!q.severity || r.severity === q.severity) && (!q.status || r.triggers.some((v) => v.status === q.status)) && (!q.group || r.group === q.group) && (!q.rule || r.triggers.some((v) => v.rule === q.rule));

function sortRows(rows: CaseloadRow[], key: SortKey, lang: string): CaseloadRow[] {
  // One collator for the whole sort (localeCompare builds one per call: slow on a long caseload).
  const collator = new Intl.Collator(lang);
  const byName = (a: CaseloadRow, b: CaseloadRow) => collator.compare(a.name, b.name);
  const by: Record<SortKey, (a: CaseloadRow, b: CaseloadRow) => number> = {
    severity: (a, b) => (severityRank[a.severity] ?? 9) - (severityRank[b.severity] ?? 9) || b.daysOpen - a.daysOpen || byName(a, b),
    days: (a, b) => b.daysOpen - a.daysOpen || byName(a, b),
    name: (a, b) => byName(a, b) || (a.studentId < b.studentId ? -1 : a.studentId > b.studentId ? 1 : 0),
    group: (a, b) => collator.compare(a.group, b.group) || byName(a, b),
  };
  return rows.slice().sort(by[key]);
}

/** "My triggers" and one trigger: read, acknowledge, resolve. */
export function triggerRoutes(app: FastifyInstance, w: Workspace): void {
  const { o, gate } = w;

  // "My students": one row per student with their live triggers for me, filters with counts,
  // sortable, 50 to a page; what is new since my last visit is marked.
  app.get('/', w.authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    const t = translator(lang);
    if (!studentRoles(u).length) return reply.redirect(u.roles.includes('data_coordinator') ? '/admin' : '/report');
    const q = caseloadQuery(req.query);
    const { rows, lastVisit } = await gate.use(async (db) => {
      const today = w.today();
      const stored = await w.untilWrite.get(`live ${u.staffId} ${today}`, () => liveRoutedList(db, today, u.staffId));
      // The visit before this one: read once, then known here (this page is what records a visit).
      const lastVisit = w.caseloadVisits.has(u.staffId) ? w.caseloadVisits.get(u.staffId)! : await lastCaseloadVisit(db, u.staffId);
      const basics = await studentBasics(db, w.basics, stored.map((s) => s.student_id));
      await w.audit(db, req, 'viewed_triggers', { detail: `${stored.length} triggers` });
      w.caseloadVisits.set(u.staffId, visitDay(o.clock()));
      const ctx = w.viewContext(lang);
      const views = stored.map((s) => listTrigger(s, { roles: u.roles, staffId: u.staffId }, ctx)).filter((v): v is NonNullable<typeof v> => v !== null);
      return { rows: caseloadRows(views, basics, lastVisit, today), lastVisit };
    });
    const counts = {
      all: rows.length,
      new: rows.filter((r) => r.isNew).length,
      severity: Object.fromEntries(severities.map((x) => [x, rows.filter((r) => r.severity === x).length])),
      status: Object.fromEntries(['open', 'acknowledged'].map((x) => [x, rows.filter((r) => r.triggers.some((v) => v.status === x)).length])),
    };
    const shown = sortRows(rows.filter((r) => matches(r, q)), q.sort, lang);
    const pages = Math.max(1, Math.ceil(shown.length / PAGE));
    const page = Math.min(q.page, pages);
    const slice = shown.slice((page - 1) * PAGE, page * PAGE);
    const groups = [...new Set(rows.map((r) => r.group))].sort();
    const rules = [...new Map(rows.flatMap((r) => r.triggers.map((v) => [v.rule, v.title] as const))).entries()].sort((a, b) => a[1].localeCompare(b[1], lang));
    const link = (change: Partial<CaseloadQuery>, text: string, count?: number) => {
      const next = { ...q, page: 1, ...change };
      const current = JSON.stringify(next) === JSON.stringify({ ...q, page: 1 });
      return html`<a href="/?${queryString(next)}"${current ? html` aria-current="true"` : ''}>${text}${count !== undefined ? ` (${count})` : ''}</a>`;
    };
    const filters = html`<nav aria-label="${t('web.filters')}" class="filters"><p>
${link({ new: false, severity: undefined, status: undefined, group: undefined, rule: undefined }, t('web.filter_all'), counts.all)} ·
${link({ new: true }, t('web.filter_new'), counts.new)} ·
${severities.map((x, i) => html`${i ? ' · ' : ''}${link({ severity: x }, valueWord(lang, 'severity', x), counts.severity[x])}`)} ·
${(['open', 'acknowledged'] as const).map((x, i) => html`${i ? ' · ' : ''}${link({ status: x }, valueWord(lang, 'status', x), counts.status[x])}`)}</p>
<form method="get" action="/" class="inline"><label for="f-group">${t('term.group')}</label><select id="f-group" name="group"><option value="">–</option>${groups.map((g) => html`<option value="${g}"${g === q.group ? html` selected` : ''}>${g}</option>`)}</select>
<label for="f-rule">${t('term.trigger')}</label><select id="f-rule" name="rule"><option value="">–</option>${rules.map(([id, title]) => html`<option value="${id}"${id === q.rule ? html` selected` : ''}>${title}</option>`)}</select>
${q.new ? html`<input type="hidden" name="new" value="1">` : ''}${q.severity ? html`<input type="hidden" name="severity" value="${q.severity}">` : ''}${q.status ? html`<input type="hidden" name="status" value="${q.status}">` : ''}
<button type="submit">${t('web.filter_apply')}</button></form></nav>`;
    const sortLink = (key: SortKey, label: string) => (q.sort === key ? html`${label} ▾` : link({ sort: key }, label));
    const body = rows.length
      ? html`${filters}
<p role="status">${t('web.caseload_count', { shown: shown.length, all: rows.length })}${lastVisit ? ` ${t('web.since_visit', { date: formatDate(lang, lastVisit) })}` : ''}</p>
<table><caption>${t('web.my_students')}</caption><thead><tr>
<th scope="col">${sortLink('name', t('term.student'))}</th><th scope="col">${sortLink('group', t('term.group'))}</th><th scope="col">${t('term.triggers')}</th>
<th scope="col">${sortLink('severity', t('term.severity'))}</th><th scope="col">${sortLink('days', t('web.col.days_open'))}</th></tr></thead><tbody>
${slice.map(
  (r) => html`<tr><th scope="row">${link2(['students', r.studentId], r.name)}${r.isNew ? html` <strong class="new">${t('term.new')}</strong>` : ''}</th><td>${r.group}</td>
<td><ul class="plain">${r.triggers.map((v) => html`<li>${link2(['triggers', v.id], v.title)} <span class="note">(${valueWord(lang, 'status', v.status)})</span></li>`)}</ul></td>
<td><span class="sev-${r.severity}">${valueWord(lang, 'severity', r.severity)}</span></td><td class="date">${t('term.days_open', { days: r.daysOpen })}</td></tr>
`,
)}</tbody></table>
${pages > 1 ? html`<nav aria-label="${t('web.pages')}"><p>${page > 1 ? html`${link({ page: page - 1 } as Partial<CaseloadQuery>, t('web.prev'))} · ` : ''}${t('web.page_of', { page, pages })}${page < pages ? html` · ${link({ page: page + 1 } as Partial<CaseloadQuery>, t('web.next'))}` : ''}</p></nav>` : ''}`
      : html`<p>${t('web.no_triggers')}</p>`;
    return w.render(req, reply, t('web.my_students'), body, w.flashOf(req));
  });

  const openTrigger = w.openTrigger;

  app.get('/triggers/:id', w.authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    const t = translator(lang);
    const id = param(req, 'id');
    const { v, name, notes, handTo, csrfToken } = await gate.use(async (db) => {
      const row = await openTrigger(db, req, id);
      const v = viewTrigger(row, { roles: u.roles, staffId: u.staffId }, w.viewContext(lang))!;
      const notes = await notesFor(db, { roles: u.roles, staffId: u.staffId }, row.student_id, id);
      await w.audit(db, req, 'viewed_trigger', { student_id: row.student_id, object_id: id });
      return { v, name: (await studentBasics(db, w.basics, [row.student_id])).get(row.student_id)?.name, notes, handTo: handOverRoles(row), csrfToken: reply.generateCsrf() };
    });
    const live = v.status === 'open' || v.status === 'acknowledged';
    const body = html`<p>${link2(['students', v.student_id], name ?? v.student_id)} · ${valueWord(lang, 'severity', v.severity)} · ${valueWord(lang, 'status', v.status)} · ${t('term.opened')} ${formatDate(lang, v.opened_on)}</p>
<h2>${t('term.what_happened')}</h2><p>${v.message}</p>
${v.reasons.length ? html`<ul>${v.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
${v.next_step ? html`<h2>${t('term.next_step')}</h2><p>${v.next_step}</p>` : ''}
${notesList(lang, notes)}
${live ? actions(lang, v.id, v.status, v.student_id, v.role, csrfToken, u) : ''}
${live && v.staff_id === u.staffId && handTo.length ? handOverForm(lang, v.id, handTo, csrfToken) : ''}`;
    return w.render(req, reply, v.title, body, w.flashOf(req));
  });

  app.post('/triggers/:id/acknowledge', w.authedPost, async (req, reply) => {
    const id = param(req, 'id');
    await gate.use(async (db) => {
      const row = await openTrigger(db, req, id);
      await acknowledgeTrigger(db, id, req.user!.staffId, w.today(), o.clock());
      await w.audit(db, req, 'acknowledged_trigger', { student_id: row.student_id, object_id: id });
    });
    return reply.redirect(`${href(['triggers', id])}?done=acknowledged`, 303);
  });

  app.post('/triggers/:id/hand-over', w.authedPost, async (req, reply) => {
    const id = param(req, 'id');
    const role = formField(req.body, 'role');
    await gate.use(async (db) => {
      const row = await openTrigger(db, req, id);
      if (row.staff_id !== req.user!.staffId || !handOverRoles(row).includes(role)) throw new PageError(400, 'bad_request', 'role');
      await handOverTrigger(db, id, req.user!.staffId, role, w.today(), o.clock());
      await w.audit(db, req, 'handed_over_trigger', { student_id: row.student_id, object_id: id, detail: role });
    });
    return reply.redirect('/?done=handed_over', 303);
  });

  // Taking another professional's trigger about a student of mine: the student must be mine, and
  // the trigger of a kind a role of mine may see (a teacher never gets here: nothing to take).
  app.post('/triggers/:id/take', w.authedPost, async (req, reply) => {
    const u = req.user!;
    const id = param(req, 'id');
    const role = formField(req.body, 'role');
    await gate.use(async (db) => {
      const row = await storedTrigger(db, id);
      if (!row || !maySee(u.roles, row.visibility) || !(await w.isMine(db, u.staffId, row.student_id)) || !u.roles.includes(role)) {
        await w.audit(db, req, 'denied', { object_id: id, detail: 'take trigger' });
        throw new PageError(404, 'not_found');
      }
      await takeTrigger(db, id, u.staffId, role, w.today(), o.clock());
      await w.audit(db, req, 'took_trigger', { student_id: row.student_id, object_id: id, detail: role });
    });
    return reply.redirect(`${href(['triggers', id])}?done=taken`, 303);
  });

  app.post('/triggers/:id/resolve', w.authedPost, async (req, reply) => {
    const id = param(req, 'id');
    const outcome = formField(req.body, 'outcome');
    if (!(resolutionOutcomes as readonly string[]).includes(outcome)) throw new PageError(400, 'bad_request', outcome);
    const note = noteField(req.body);
    await gate.use(async (db) => {
      const row = await openTrigger(db, req, id);
      await resolveTrigger(db, id, req.user!.staffId, outcome as ResolutionOutcome, w.today(), o.clock());
      const u = req.user!;
      if (note) await addNote(db, { student_id: row.student_id, staff_id: u.staffId, role: u.roles.includes(row.role) ? row.role : studentRoles(u)[0] ?? row.role, trigger: row, text: note }, o.clock());
      await w.audit(db, req, 'resolved_trigger', { student_id: row.student_id, object_id: id, detail: outcome });
    });
    return reply.redirect(`/?done=resolved`, 303);
  });
}

function actions(lang: Language, id: string, status: string, studentId: string, role: string, csrfToken: string, u: SignedIn): Html {
  const t = translator(lang);
  return html`<h2>${t('web.actions')}</h2>
${status === 'open' ? html`<form method="post" action="${href(['triggers', id, 'acknowledge'])}" class="inline">${hidden('_csrf', csrfToken)}<button type="submit">${t('action.acknowledge')}</button></form>` : ''}
<form method="post" action="${href(['triggers', id, 'resolve'])}">${hidden('_csrf', csrfToken)}<fieldset><legend>${t('action.resolve')}</legend>
<label for="outcome">${t('term.outcome')}</label><select id="outcome" name="outcome">${resolutionOutcomes.map((x) => html`<option value="${x}">${valueWord(lang, 'outcome', x)}</option>`)}</select>
${noteInput(lang, 'resolve-note')}
<p><button type="submit">${t('action.resolve')}</button></p></fieldset></form>
${interventionForm(lang, csrfToken, href(['students', studentId, 'interventions']), u, id, role)}`;
}

function handOverForm(lang: Language, id: string, roles: readonly string[], csrfToken: string): Html {
  const t = translator(lang);
  return html`<form method="post" action="${href(['triggers', id, 'hand-over'])}">${hidden('_csrf', csrfToken)}<fieldset><legend>${t('web.hand_over')}</legend>
<label for="hand-over-role">${t('web.hand_over_to')}</label><select id="hand-over-role" name="role">${roles.map((r) => html`<option value="${r}">${valueWord(lang, 'role', r)}</option>`)}</select>
<p><button type="submit">${t('web.hand_over_to')}</button></p></fieldset></form>`;
}
