import type { FastifyInstance } from 'fastify';
import { formatDate, valueWord, type Language } from '../../i18n/index.js';
import { acknowledgeTrigger, addNote, liveRoutedTriggers, notesFor, resolutionOutcomes, resolveTrigger, viewTrigger, type ResolutionOutcome } from '../../triggers/index.js';
import type { SignedIn } from '../auth.js';
import { formField, PageError, param, studentRoles, tr, type Workspace } from '../context.js';
import { hidden, href, html, link, table, type Html } from '../html.js';
import { studentNames } from '../queries.js';
import { interventionForm, noteField, noteInput, notesList } from './students.js';

const severityRank: Record<string, number> = { high: 0, medium: 1, low: 2 };

/** "My triggers" and one trigger: read, acknowledge, resolve. */
export function triggerRoutes(app: FastifyInstance, w: Workspace): void {
  const { o, gate } = w;

  app.get('/', w.authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    const t = tr(lang);
    if (!studentRoles(u).length) return reply.redirect(u.roles.includes('data_coordinator') ? '/admin' : '/report');
    const rows = await gate.use(async (db) => {
      const stored = await liveRoutedTriggers(db, w.today(), u.staffId);
      const nameOf = await studentNames(db, w.names, stored.map((s) => s.student_id));
      await w.audit(db, req, 'viewed_triggers', { detail: `${stored.length} triggers` });
      return stored
        .map((s) => viewTrigger(s, { roles: u.roles, staffId: u.staffId }, w.viewContext(lang)))
        .filter((v): v is NonNullable<typeof v> => v !== null)
        .sort((a, b) => (severityRank[a.severity] ?? 9) - (severityRank[b.severity] ?? 9) || b.opened_on.localeCompare(a.opened_on))
        .map((v) => [
          link(['triggers', v.id], v.title),
          link(['students', v.student_id], nameOf.get(v.student_id) ?? v.student_id),
          html`<span class="sev-${v.severity}">${valueWord(lang, 'severity', v.severity)}</span>`,
          valueWord(lang, 'status', v.status),
          formatDate(lang, v.opened_on),
          v.message,
        ]);
    });
    const body = table(t('web.my_triggers'), [t('term.trigger'), t('term.student'), t('term.severity'), t('term.status'), t('term.opened'), t('term.what_happened')], rows) ?? html`<p>${t('web.no_triggers')}</p>`;
    return w.render(req, reply, t('web.my_triggers'), body, w.flashOf(req));
  });

  const openTrigger = w.openTrigger;

  app.get('/triggers/:id', w.authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    const t = tr(lang);
    const id = param(req, 'id');
    const { v, name, notes, csrfToken } = await gate.use(async (db) => {
      const row = await openTrigger(db, req, id);
      const v = viewTrigger(row, { roles: u.roles, staffId: u.staffId }, w.viewContext(lang))!;
      const notes = await notesFor(db, { roles: u.roles, staffId: u.staffId }, row.student_id, id);
      await w.audit(db, req, 'viewed_trigger', { student_id: row.student_id, object_id: id });
      return { v, name: (await studentNames(db, w.names, [row.student_id])).get(row.student_id), notes, csrfToken: reply.generateCsrf() };
    });
    const live = v.status === 'open' || v.status === 'acknowledged';
    const body = html`<p>${link(['students', v.student_id], name ?? v.student_id)} · ${valueWord(lang, 'severity', v.severity)} · ${valueWord(lang, 'status', v.status)} · ${t('term.opened')} ${formatDate(lang, v.opened_on)}</p>
<h2>${t('term.what_happened')}</h2><p>${v.message}</p>
${v.reasons.length ? html`<ul>${v.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
${v.next_step ? html`<h2>${t('term.next_step')}</h2><p>${v.next_step}</p>` : ''}
${notesList(lang, notes)}
${live ? actions(lang, v.id, v.status, v.student_id, v.role, csrfToken, u) : ''}`;
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
  const t = tr(lang);
  return html`<h2>${t('web.actions')}</h2>
${status === 'open' ? html`<form method="post" action="${href(['triggers', id, 'acknowledge'])}" class="inline">${hidden('_csrf', csrfToken)}<button type="submit">${t('action.acknowledge')}</button></form>` : ''}
<form method="post" action="${href(['triggers', id, 'resolve'])}">${hidden('_csrf', csrfToken)}<fieldset><legend>${t('action.resolve')}</legend>
<label for="outcome">${t('term.outcome')}</label><select id="outcome" name="outcome">${resolutionOutcomes.map((x) => html`<option value="${x}">${valueWord(lang, 'outcome', x)}</option>`)}</select>
${noteInput(lang, 'resolve-note')}
<p><button type="submit">${t('action.resolve')}</button></p></fieldset></form>
${interventionForm(lang, csrfToken, href(['students', studentId, 'interventions']), u, id, role)}`;
}
