import type { FastifyInstance } from 'fastify';
import { translator } from '../../i18n/index.js';
import { addIntervention } from '../../triggers/index.js';
import { myGroups } from '../access.js';
import { formDate, formField, PageError, param, requireRole, type Workspace } from '../context.js';
import { hidden, href, html, link, table } from '../html.js';
import { groupRoster, openOrdinaryTriggers, studyingInGroup } from '../queries.js';

/** A group supervisor's groups: who is studying, their open triggers, and support for the whole group. */
export function groupRoutes(app: FastifyInstance, w: Workspace): void {
  const { o, gate } = w;

  app.get('/groups', w.authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    const t = translator(lang);
    requireRole(req, ['group_supervisor']);
    const { codes, members, csrfToken } = await gate.use(async (db) => {
      // Groups and who is in them change only with the night's data; open triggers also here.
      const today = w.today();
      const codes = await w.kept.get(`groups ${u.staffId} ${today}`, () => myGroups(db, u.staffId, today));
      const roster = await w.kept.get(`roster ${today} ${JSON.stringify(codes)}`, () => groupRoster(db, codes, today));
      const open = await openOrdinaryTriggers(db, roster.map((m) => m.student_id));
      const members = roster.map((m) => ({ ...m, open_triggers: open.get(m.student_id) ?? 0 }));
      if (codes.length) await w.audit(db, req, 'viewed_group', { object_id: codes.join(' '), detail: `${members.length} students` });
      return { codes, members, csrfToken: reply.generateCsrf() };
    });
    const body = codes.map(
      (code) => html`<h2>${t('web.group_list', { group: code })}</h2>${table(t('web.group_list', { group: code }), [t('term.student'), t('web.open_triggers')], members.filter((m) => m.group === code).map((m) => [link(['students', m.student_id], m.name), m.open_triggers]))}
<form method="post" action="${href(['groups', code, 'interventions'])}">${hidden('_csrf', csrfToken)}<fieldset><legend>${t('web.group_intervention')}</legend>
<label for="type-${code}">${t('term.kind_of_support')}</label><input id="type-${code}" name="type" required pattern="[a-z][a-z0-9_]*" value="group_session">
<label for="date-${code}">${t('term.date')}</label><input id="date-${code}" name="date" type="date" value="${w.today()}">
<p><button type="submit">${t('web.record')}</button></p></fieldset></form>
`,
    );
    return w.render(req, reply, t('web.my_groups'), codes.length ? html`${body}` : html`<p>–</p>`, w.flashOf(req));
  });

  app.post('/groups/:code/interventions', w.authedPost, async (req, reply) => {
    const u = req.user!;
    requireRole(req, ['group_supervisor']);
    const code = param(req, 'code');
    const fields = { type: formField(req.body, 'type'), date: formDate(req.body, 'date', w.today()) };
    await gate.use(async (db) => {
      if (!(await myGroups(db, u.staffId, w.today())).includes(code)) throw new PageError(404, 'not_found');
      for (const studentId of await studyingInGroup(db, code, w.today())) {
        const iv = await addIntervention(db, { student_id: studentId, staff_id: u.staffId, role: 'group_supervisor', ...fields, scope: 'group' }, o.clock());
        await w.audit(db, req, 'recorded_intervention', { student_id: studentId, object_id: iv.intervention_id, detail: `group ${code}` });
      }
    });
    return reply.redirect('/groups?done=recorded', 303);
  });
}
