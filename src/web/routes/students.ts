import type { FastifyInstance } from 'fastify';
import { interventionTypes } from '../../core/vocabulary.js';
import { displayName, formatDate, valueWord, type Language, translator } from '../../i18n/index.js';
import { currentRiskOf, visibleRisk } from '../../model/index.js';
import { addIntervention, addNote, cleanNote, listInterventions, listTriggers, noteMaxLength, notesFor, othersOnStudent, type SupportNote } from '../../triggers/index.js';
import { isWelfareRole, maySee, rolesThatSee } from '../../core/roles.js';
import type { SignedIn } from '../auth.js';
import { formDate, formField, PageError, param, studentRoles, type Workspace } from '../context.js';
import { hidden, href, html, link, table, type Html } from '../html.js';
import { studentRecord, studentTimeline } from '../queries.js';
import { timelineSvg } from '../timeline.js';
import { addDays } from '../../core/dates.js';
import { unsafeRawHtml } from '../../core/html.js';


/** A student's page and recording support for them. */
export function studentRoutes(app: FastifyInstance, w: Workspace): void {
  const { o, gate } = w;
  // Drawing a timeline costs ~50 ms: the same picture (student, day, language, what the reader may
  // see, the events on it) is drawn once. Data changes at night or through these pages, and both
  // change the key or the day.
  const pictures = new Map<string, string>();
  const picture = async (key: string, draw: () => Promise<string>) => {
    let svg = pictures.get(key);
    if (svg === undefined) {
      svg = await draw();
      if (pictures.size >= 500) pictures.delete(pictures.keys().next().value!);
      pictures.set(key, svg);
    }
    return svg;
  };

  app.get('/students/:id', w.authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    const t = translator(lang);
    const id = param(req, 'id');
    const viewer = { roles: u.roles, staffId: u.staffId };
    const data = await gate.use(async (db) => {
      if (!studentRoles(u).length || !(await w.isMine(db, u.staffId, id))) {
        await w.audit(db, req, 'denied', { object_id: id, detail: 'student' });
        throw new PageError(404, 'not_found');
      }
      // The record, the current risk and the timeline change only with the night's data: read once a day per student.
      const today = w.today();
      const welfare = maySee(u.roles, 'welfare');
      const s = await w.kept.get(`record ${id}`, () => studentRecord(db, id));
      const score = await w.kept.get(`risk ${id} ${today}`, () => currentRiskOf(db, id, today));
      const risk = visibleRisk(u.roles, score, w.features, lang);
      const triggers = (await listTriggers(db, viewer, { student: id, limit: 50 }, w.viewContext(lang))).filter((x) => x.staff_id === u.staffId || u.roles.includes(x.role));
      const interventions = await listInterventions(db, viewer, { student: id, limit: 50 });
      const notes = await notesFor(db, viewer, id);
      // A welfare professional learns that another holds a live trigger for the student: role and date, no content.
      const others = u.roles.some(isWelfareRole) ? await othersOnStudent(db, { roles: u.roles, staffId: u.staffId }, id) : [];
      // Well-being answers are welfare data: in the timeline for welfare roles only.
      const timeline = await w.kept.get(`timeline ${id} ${today} ${welfare}`, () => studentTimeline(db, id, today, welfare));
      await w.audit(db, req, 'viewed_student', { student_id: id });
      return { s, risk: risk && score ? { ...risk, scored_on: score.scored_on } : null, triggers, interventions, notes, others, timeline, csrfToken: reply.generateCsrf() };
    });
    const s = data.s;
    const to = w.today();
    const from = addDays(to, -365);
    const events = [
      ...data.triggers.filter((x) => x.opened_on >= from).map((x) => ({ day: x.opened_on, kind: 'trigger' as const, label: x.title })),
      ...data.interventions.filter((i) => i.date >= from).map((i) => ({ day: i.date, kind: 'support' as const, label: valueWord(lang, 'intervention', i.type) })),
    ];
    // vega's SVG of this student's own rows, drawn on the server; the same facts are in the tables below.
    const svg = await picture(JSON.stringify([id, to, lang, data.timeline, events]), () => timelineSvg(lang, data.timeline, events, from, to, s?.education_type ?? 'unknown'));
    const facts: [string, string | null | undefined][] = [
      [t('term.group'), s?.group], [t('web.programme'), displayName(o.config.displayNames.programmes, lang, s?.programme)], [t('web.unit'), displayName(o.config.displayNames.units, lang, s?.unit)],
      [t('web.studies_from'), s?.start ? formatDate(lang, s.start) : null], [t('web.planned_end'), s?.planned_end ? formatDate(lang, s.planned_end) : null],
    ];
    const disagreement = bandDisagreement(data.risk?.band, data.triggers);
    if (data.risk) facts.push([t('term.risk_band'), t('web.band_on', { band: valueWord(lang, 'band', data.risk.band), date: formatDate(lang, data.risk.scored_on) })]);
    const body = html`<p class="note">${id}</p>
<h2>${t('web.studies')}</h2><dl>${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v ?? '–'}</dd>`)}</dl>
${data.risk?.reasons.length ? html`<p>${t('term.reasons')}: ${data.risk.reasons.join('; ')}</p>` : ''}
${disagreement ? html`<p class="note">${t('web.band_vs_severity', { direction: disagreement, band: valueWord(lang, 'band', data.risk!.band) })}</p>` : ''}
<h2>${t('web.timeline.title')}</h2>
<figure class="timeline">${unsafeRawHtml(svg)}<figcaption class="note">${t('web.timeline.description', { from: formatDate(lang, from), to: formatDate(lang, to) })}</figcaption></figure>
<h2>${t('term.triggers')}</h2>
${table(t('term.triggers'), [t('term.trigger'), t('term.status'), t('term.opened'), t('term.what_happened')], data.triggers.map((x) => [link(['triggers', x.id], x.title), valueWord(lang, 'status', x.status), formatDate(lang, x.opened_on), x.message])) ?? html`<p>–</p>`}
<h2>${t('term.support_recorded')}</h2>
${table(t('term.support_recorded'), [t('term.date'), t('term.kind_of_support'), t('term.role'), t('web.scope')], data.interventions.map((i) => [formatDate(lang, i.date), valueWord(lang, 'intervention', i.type), valueWord(lang, 'role', i.role), valueWord(lang, 'scope', i.scope)])) ?? html`<p>–</p>`}
${notesList(lang, data.notes)}
${data.others.length ? html`<h2>${t('web.others')}</h2><p class="note">${t('web.others_hint')}</p><ul>${data.others.map((x) => {
  const mine = u.roles.filter((r) => (rolesThatSee(x.visibility) as readonly string[]).includes(r) && isWelfareRole(r));
  return html`<li>${t('web.other_line', { role: valueWord(lang, 'role', x.role), date: formatDate(lang, x.opened_on) })}${mine.length ? html` <form method="post" action="${href(['triggers', x.trigger_id, 'take'])}" class="inline">${hidden('_csrf', data.csrfToken)}${hidden('role', mine[0]!)}<button type="submit" class="link">${t('web.take')}</button></form>` : ''}</li>`;
})}</ul>` : ''}
${interventionForm(lang, data.csrfToken, href(['students', id, 'interventions']), u, undefined)}`;
    return w.render(req, reply, s?.name ?? id, body, w.flashOf(req));
  });

  app.post('/students/:id/interventions', w.authedPost, async (req, reply) => {
    const u = req.user!;
    const id = param(req, 'id');
    const b = req.body;
    const triggerId = formField(b, 'trigger_id') || undefined;
    const fields = { role: formField(b, 'role'), type: formField(b, 'type'), date: formDate(b, 'date', w.today()) };
    const note = noteField(b);
    await gate.use(async (db) => {
      if (!studentRoles(u).length || !(await w.isMine(db, u.staffId, id))) throw new PageError(404, 'not_found');
      const trigger = triggerId ? await w.openTrigger(db, req, triggerId) : null;
      const iv = await addIntervention(db, { student_id: id, staff_id: u.staffId, ...fields, scope: 'individual', trigger_id: triggerId }, o.clock());
      if (note) await addNote(db, { student_id: id, staff_id: u.staffId, role: fields.role, trigger, intervention_id: iv.intervention_id, text: note }, o.clock());
      await w.audit(db, req, 'recorded_intervention', { student_id: id, object_id: iv.intervention_id, detail: triggerId ? `answers ${triggerId}` : null });
    });
    return reply.redirect(triggerId ? '/?done=recorded' : `${href(['students', id])}?done=recorded`, 303);
  });
}

/** The form for recording support given to one student, optionally answering a trigger (then in the role the trigger was routed to). */
export function interventionForm(lang: Language, csrfToken: string, action: string, u: SignedIn, triggerId: string | undefined, role?: string): Html {
  const t = translator(lang);
  const sfx = triggerId ? '-t' : '';
  return html`<form method="post" action="${action}">${hidden('_csrf', csrfToken)}${triggerId ? hidden('trigger_id', triggerId) : ''}<fieldset><legend>${t('action.record_support')}</legend>
<label for="iv-type${sfx}">${t('term.kind_of_support')}</label><select id="iv-type${sfx}" name="type">${interventionTypes.map((x) => html`<option value="${x}">${valueWord(lang, 'intervention', x)}</option>`)}</select>
<label for="iv-role${sfx}">${t('term.role')}</label><select id="iv-role${sfx}" name="role">${studentRoles(u).map((r) => html`<option value="${r}"${r === role ? html` selected` : ''}>${valueWord(lang, 'role', r)}</option>`)}</select>
<label for="iv-date${sfx}">${t('term.date')}</label><input id="iv-date${sfx}" name="date" type="date">
${noteInput(lang, `iv-note${sfx}`)}
<p><button type="submit">${t('web.record')}</button></p></fieldset></form>`;
}

/** The optional note field of a form (checked before anything is changed: too long or holding an identity code is a bad request). */
export function noteField(body: unknown): string {
  try {
    return cleanNote(formField(body, 'note'));
  } catch {
    throw new PageError(400, 'bad_request', 'note');
  }
}

/** A labelled, length-limited note box with what it is for. */
export function noteInput(lang: Language, id: string): Html {
  const t = translator(lang);
  return html`<label for="${id}">${t('web.note_label')}</label><textarea id="${id}" name="note" maxlength="${noteMaxLength}" rows="3" cols="60" aria-describedby="${id}-hint"></textarea>
<p class="note" id="${id}-hint">${t('web.note_hint', { max: noteMaxLength })}</p>`;
}

/** Notes the reader may see, newest first; nothing when there are none. */
export function notesList(lang: Language, notes: readonly SupportNote[]): Html | null {
  if (!notes.length) return null;
  const t = translator(lang);
  return html`<h2>${t('web.notes')}</h2><ul>${notes.map((n) => html`<li><span class="note">${t('web.note_by', { date: formatDate(lang, n.written_at), role: valueWord(lang, 'role', n.role) })}</span>: ${n.text}</li>`)}</ul>`;
}

/**
 * When the risk band a reader sees and the urgency of the student's live triggers disagree (a high
 * band with only less urgent triggers, or an urgent trigger with a raised band), which way — the
 * page then says why both can be right. Null when they agree or there is no band to compare.
 */
export function bandDisagreement(band: string | undefined, triggers: readonly { status: string; severity: string }[]): 'band_higher' | 'severity_higher' | null {
  if (!band) return null;
  const live = triggers.filter((x) => x.status === 'open' || x.status === 'acknowledged');
  const urgent = live.some((x) => x.severity === 'high');
  if (band === 'high' && live.length && !urgent) return 'band_higher';
  if (band !== 'high' && urgent) return 'severity_higher';
  return null;
}
